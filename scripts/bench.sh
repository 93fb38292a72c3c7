#!/usr/bin/env bash
# The benchmark run behind `make bench`, in one go on this machine:
#   1. builds frontdesk and cmd/loadgen;
#   2. measures the raw PostgreSQL baseline of the booking transaction with
#      pgbench (scripts/loadtest/booking.pgbench) at 1, 8 and 32 clients;
#   3. starts Frontdesk on a fresh PostgreSQL database (demo clinic, outbox
#      worker on, mail to a counting SMTP sink, PUBLIC_RATE_LIMIT=0), adds
#      40 load-test practitioners, and drives it with cmd/loadgen: booking
#      only at 1, 8, 32 clients; availability for 31 days across all
#      practitioners at 32; feed 304s at 8; the realistic mix at 32;
#   4. checks the database (no overlaps, every 201 stored, each mail sent once);
#   5. runs the Go benchmarks of domain, storage, notifications and api;
#   6. runs scripts/loadtest/replicas.sh (two replicas, kill -9, PostgreSQL
#      stop, soak);
#   7. writes BENCHMARKS.md: results as ratios to the baseline of this run.
# Environment: BENCH_QUICK=1 (short phases, 1-minute soak), SOAK_MINUTES,
# BENCH_REPLICAS=0 (skip step 6), BENCH_KEEP=1 (keep databases and $WORK),
# BENCH_PG_ADMIN_URL. About 15 minutes in full, 3 in quick mode.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
WORK=$(mktemp -d /tmp/frontdesk-bench.XXXXXX)
# shellcheck source=loadtest/lib.sh
. "$ROOT/scripts/loadtest/lib.sh"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  PHASE=5s PGB_SECONDS=5 GOBENCHTIME=100ms
  export SOAK_MINUTES=${SOAK_MINUTES:-1}
else
  PHASE=15s PGB_SECONDS=15 GOBENCHTIME=1s
  export SOAK_MINUTES=${SOAK_MINUTES:-10}
fi
PORT=8090
DB=frontdesk_bench_$$
BASE_DB=frontdesk_baseline_$$
COMMAND=${BENCH_COMMAND:-make bench}
if [ "${BENCH_QUICK:-0}" = 1 ]; then COMMAND="BENCH_QUICK=1 $COMMAND"; fi
STARTED_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)

on_exit() {
  cleanup
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

pg_ready || die "PostgreSQL is not reachable at $PG_ADMIN_URL (scripts/test-deps.sh starts it)"
command -v pgbench >/dev/null || die "pgbench is missing: apt-get install -y postgresql-contrib (or postgresql-client)"
command -v jq >/dev/null || die "jq is missing: apt-get install -y jq"
build_binaries

# --- 2. raw database baseline ----------------------------------------------------
log "baseline: pgbench on a fresh, migrated database"
new_db "$BASE_DB"
DATABASE_URL=$(pg_url "$BASE_DB") DATA_DIR=$WORK/data-baseline "$FRONTDESK" migrate >/dev/null || die "frontdesk migrate (baseline)"
psql "$(pg_url "$BASE_DB")" -qf scripts/loadtest/baseline-seed.sql >/dev/null || die "seeding the baseline"

# pgbench_run CLIENTS: tps, p50, p95 and p99 in ms from the per-transaction log.
pgbench_run() {
  local c=$1 j=$(( $1 < 2 ? 1 : 2 )) out
  rm -f "$WORK"/pgb"$c".*
  out=$(cd "$WORK" && pgbench -n -M prepared -f "$ROOT/scripts/loadtest/booking.pgbench" -c "$c" -j "$j" \
        -T "$PGB_SECONDS" -l --log-prefix="pgb$c" "$(pg_url "$BASE_DB")" 2>&1) || die "pgbench -c $c: $out"
  local tps
  tps=$(awk '/^tps = /{print $3}' <<<"$out")
  cat "$WORK"/pgb"$c".* | awk '{print $3/1000}' | sort -n >"$WORK/pgb$c.lat"
  awk -v tps="$tps" '{a[NR]=$1} END {
      i50=int(NR*0.50+0.999999); i95=int(NR*0.95+0.999999); i99=int(NR*0.99+0.999999);
      printf "%.1f %.2f %.2f %.2f %d\n", tps, a[i50], a[i95], a[i99], NR }' "$WORK/pgb$c.lat"
}
for c in 1 8 32; do
  read -r tps p50 p95 p99 n < <(pgbench_run "$c")
  printf '%s %s %s %s %s %s\n' "$c" "$tps" "$p50" "$p95" "$p99" "$n" >>"$WORK/baseline.txt"
  log "baseline $c clients: $tps TPS, p99 $p99 ms"
done

# --- 3. Frontdesk under load --------------------------------------------------------
new_db "$DB"
DBURL=$(pg_url "$DB")
start_sink 2525 2526
start_frontdesk bench "$PORT" "$DBURL" --demo
FD_PID=$(cat "$WORK/bench.pid")
wait_ready "$PORT" 60 || die "frontdesk did not become ready: $(tail -20 "$WORK/bench.err")"
demo_credentials bench
sleep 5
IDLE_DEMO_RSS=$(rss_mib "$FD_PID")
"$LOADGEN" setup -base "http://127.0.0.1:$PORT" -email "$STAFF_EMAIL" -password "$STAFF_PASSWORD" -practitioners 40 >&2 \
  || die "loadgen setup"
# Idle is measured on a restart without --demo, as a production replica
# starts: seeding hashes a password (argon2id, 19 MiB) the process keeps
# for a while.
stop_pid "$FD_PID"
start_frontdesk bench "$PORT" "$DBURL"
FD_PID=$(cat "$WORK/bench.pid")
wait_ready "$PORT" 60 || die "frontdesk did not become ready again: $(tail -20 "$WORK/bench.err")"
sleep 5
IDLE_RSS=$(rss_mib "$FD_PID")
IDLE_GOROUTINES=$(goroutines "$PORT")
# The Go runtime's own view of the idle process, in MiB.
IDLE_MEM=$(metrics "$PORT" | awk '
  $1 == "go_memstats_heap_inuse_bytes" {h = $2} $1 == "go_memstats_stack_inuse_bytes" {s = $2}
  $1 == "go_memstats_sys_bytes" {y = $2} END {printf "heap in use %.1f, stacks %.1f, obtained from the OS %.1f", h/1048576, s/1048576, y/1048576}')
log "idle: RSS $IDLE_RSS MiB ($IDLE_DEMO_RSS after seeding the demo), $IDLE_GOROUTINES goroutines"

HAVE_PERF=0
if command -v perf >/dev/null && perf record -o "$WORK/probe.perf" -- true >/dev/null 2>&1; then HAVE_PERF=1; fi
RECORDS=()
FAILED_RUNS=()

# load NAME CLIENTS [run flags…]: one loadgen run, JSON in $WORK/NAME.json, the
# RSS peak in $WORK/NAME.rss, CPU use in $WORK/NAME.cpu; with PROFILE=1 a perf
# profile of the server in $WORK/NAME.perf.
load() {
  local name=$1 clients=$2
  shift 2
  rm -f "$WORK/$name.rss"
  sample_rss "$FD_PID" "$WORK/$name.rss" &
  local sampler=$! perfpid=
  : >"$WORK/$name.err"
  if [ "${PROFILE:-0}" = 1 ] && [ "$HAVE_PERF" = 1 ]; then
    # Profile the load itself, not loadgen's preparation (sign-in, feed links).
    (
      for _ in $(seq 1 600); do grep -q 'load starts' "$WORK/$name.err" && break; sleep 0.1; done
      perf record -F 299 -g -p "$FD_PID" -o "$WORK/$name.perf" -- sleep "$(( ${PHASE%s} - 1 ))" >/dev/null 2>&1
    ) &
    perfpid=$!
  fi
  local t0 m0 t1 m1 rc=0
  t0=$(cpu_ticks "$FD_PID"); m0=$(machine_ticks)
  # bash's time keyword gives the load generator's own CPU (user and system seconds).
  { TIMEFORMAT='%U %S'; time "$LOADGEN" run -base "http://127.0.0.1:$PORT" -email "$STAFF_EMAIL" -password "$STAFF_PASSWORD" \
    -clients "$clients" -duration "$PHASE" -json -record "$WORK/$name.record.json" "$@" \
    >"$WORK/$name.json" 2>"$WORK/$name.err" || rc=$?; } 2>"$WORK/$name.lgtime"
  cat "$WORK/$name.err" >>"$WORK/loadgen.err"
  t1=$(cpu_ticks "$FD_PID"); m1=$(machine_ticks)
  kill "$sampler" 2>/dev/null || true
  [ -n "$perfpid" ] && wait "$perfpid" 2>/dev/null || true
  if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
    # A run that could not start (a route missing) is reported as not measured.
    log "loadgen run $name failed ($rc): $(tail -1 "$WORK/loadgen.err")"
    jq -n --arg e "$(tail -1 "$WORK/loadgen.err")" '{routes: [], rps: "n/a", unexpected: "n/a", mix: "n/a", error: $e,
      contended_slots_won: "n/a", contended_double_wins: "n/a"}' >"$WORK/$name.json"
    FAILED_RUNS+=("$name: $(tail -1 "$WORK/loadgen.err")")
    echo "n/a n/a n/a" >"$WORK/$name.cpu"
    return 0
  fi
  RECORDS+=("$WORK/$name.record.json")
  # CPU: the server's share of one core, and how busy the whole machine was.
  read -r mb0 mt0 <<<"$m0"; read -r mb1 mt1 <<<"$m1"
  awk -v t="$((t1 - t0))" -v mb="$((mb1 - mb0))" -v mt="$((mt1 - mt0))" -v n="$(nproc)" -v hz="$(getconf CLK_TCK)" \
    -v lg="$(awk '{print $1 + $2}' "$WORK/$name.lgtime")" \
    'BEGIN { secs = mt/n/hz; printf "%.0f %.0f %.0f\n", 100*t/(mt/n), 100*mb/mt, 100*lg/secs }' >"$WORK/$name.cpu"
  log "$name ($clients clients): $(jq -r '[.rps, .unexpected] | "\(.[0]) req/s, \(.[1]) unexpected"' "$WORK/$name.json")"
}

# booking_run NAME CLIENTS [PROFILE]: a booking-only run on a replica of its
# own, on a fresh database with its own SMTP sink, checked on its own. Each
# client count starts from the same state: the demo clinic's 60-day horizon
# holds about 77,000 free slots for the 43 practitioners, and a run at 32
# clients books tens of thousands, so runs sharing one database would find
# ever fewer practitioners with free slots and end up queueing on them.
BOOK_PORT=8091
BOOK_COMMITS=0
BOOK_CHECK_RC=0
booking_run() {
  local name=$1 clients=$2 profile=${3:-0}
  local main_pid=$FD_PID main_port=$PORT main_email=$STAFF_EMAIL main_password=$STAFF_PASSWORD
  local main_sink_pid=$SINK_PID main_sink_url=$SINK_URL main_smtp=$SMTP_URL_FOR_SINK
  local main_records=("${RECORDS[@]}") db=frontdesk_bench_${name}_$$
  new_db "$db"
  start_sink $((2527 + 2 * clients)) $((2528 + 2 * clients))
  start_frontdesk "$name-server" "$BOOK_PORT" "$(pg_url "$db")" --demo
  FD_PID=$(cat "$WORK/$name-server.pid") PORT=$BOOK_PORT
  wait_ready "$PORT" 60 || die "the $name replica did not become ready: $(tail -20 "$WORK/$name-server.err")"
  demo_credentials "$name-server"
  "$LOADGEN" setup -base "http://127.0.0.1:$PORT" -email "$STAFF_EMAIL" -password "$STAFF_PASSWORD" -practitioners 40 >&2 \
    || die "loadgen setup ($name)"
  local c0 c1
  c0=$(psql "$PG_ADMIN_URL" -Atc "select xact_commit from pg_stat_database where datname='$db'")
  RECORDS=()
  PROFILE=$profile load "$name" "$clients" -mix book=1
  c1=$(psql "$PG_ADMIN_URL" -Atc "select xact_commit from pg_stat_database where datname='$db'")
  if [ "$name" != book32 ]; then BOOK_COMMITS=$((BOOK_COMMITS + c1 - c0)); fi
  local rec=()
  [ "${#RECORDS[@]}" -gt 0 ] && rec=(-record "${RECORDS[0]}")
  "$LOADGEN" check -dsn "$(pg_url "$db")" -sink "$SINK_URL" -drain 120s -json "${rec[@]}" >"$WORK/$name.check.json" || BOOK_CHECK_RC=1
  [ -s "$WORK/$name.check.json" ] || die "loadgen check ($name) gave no result"
  stop_pid "$FD_PID"
  stop_pid "$SINK_PID"
  FD_PID=$main_pid PORT=$main_port STAFF_EMAIL=$main_email STAFF_PASSWORD=$main_password
  SINK_PID=$main_sink_pid SINK_URL=$main_sink_url SMTP_URL_FOR_SINK=$main_smtp
  RECORDS=("${main_records[@]}")
}

log "load: booking only, each client count on a fresh database"
booking_run book1 1
booking_run book8 8
booking_run book32 32 1
COMMITS0=0 COMMITS1=$BOOK_COMMITS
# The reads below run on the main replica after a short booking run, so
# that calendars hold bookings as a clinic's do.
load warm8 8 -mix book=1 -duration 5s
log "load: availability, 31 days, all practitioners"
PROFILE=1 load avail32 32 -mix availability=1 -avail-days 31
FEED_OK=1
feed_works "$PORT" || { FEED_OK=0; log "the feed route does not answer: feed runs are not measured"; }
# Let the outbox worker finish the booking runs' mail first, so the feed
# run measures feeds rather than the worker's backlog.
for _ in $(seq 1 240); do
  [ "$(psql "$DBURL" -Atc "select count(*) from outbox where status = 'pending' and due_at < now() + interval '5 minutes'")" = 0 ] && break
  sleep 0.5
done
log "load: feed 304s"
# Frontdesk allows 60 feed requests a minute per feed link (api.FeedRateLimit),
# so the feed load polls many links, as many subscribers' calendar apps do.
FEED_TOKENS=${BENCH_FEED_TOKENS:-1000}
PROFILE=1 load feed8 8 -mix feed-conditional=1 -feed-tokens "$FEED_TOKENS"
log "load: realistic mix"
if [ "$FEED_OK" = 1 ]; then load mix32 32 -feed-tokens "$FEED_TOKENS"; else load mix32 32 -mix "$NOFEED_MIX"; fi
LOAD_RSS=$(cat "$WORK"/{book32,avail32,feed8,mix32}.rss 2>/dev/null | sort -n | tail -1)
LOAD_GOROUTINES=$(goroutines "$PORT")

log "check: database and sink"
rec_args=()
for r in "${RECORDS[@]}"; do rec_args+=(-record "$r"); done
CHECK_RC=0
"$LOADGEN" check -dsn "$DBURL" -sink "$SINK_URL" -drain 120s -json "${rec_args[@]}" >"$WORK/check.json" || CHECK_RC=$?
[ -s "$WORK/check.json" ] || die "loadgen check gave no result"
stop_pid "$FD_PID"

# --- 5. Go benchmarks ------------------------------------------------------------------
log "go test -bench ($GOBENCHTIME per benchmark)"
pkgs=()
for p in domain storage notifications api; do [ -d "$p" ] && pkgs+=("./$p"); done
(go test -run '^$' -bench . -benchmem -benchtime "$GOBENCHTIME" -timeout 15m "${pkgs[@]}" 2>&1 || true) \
  | grep -E '^(Benchmark|pkg:|ok|FAIL|---)' >"$WORK/gobench.txt"

# --- 6. replicas, faults and soak ----------------------------------------------------------
if [ "${BENCH_REPLICAS:-1}" = 1 ]; then
  log "replicas, faults and a ${SOAK_MINUTES}-minute soak"
  REPLICAS_MD=$WORK/replicas.md FRONTDESK=$FRONTDESK LOADGEN=$LOADGEN RESULTS_WORK=$WORK/replicas \
    "$ROOT/scripts/loadtest/replicas.sh" || log "replicas.sh reported failures (see BENCHMARKS.md)"
fi

# --- 7. BENCHMARKS.md ---------------------------------------------------------------------
. "$ROOT/scripts/loadtest/report.sh"
OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
write_report >"$OUT"
log "wrote $OUT"
[ "$CHECK_RC" = 0 ] || die "the database check failed: see BENCHMARKS.md"
[ "$BOOK_CHECK_RC" = 0 ] || die "the check of a booking run's database failed: see BENCHMARKS.md"
