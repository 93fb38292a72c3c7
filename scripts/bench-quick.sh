#!/usr/bin/env bash
# The quick benchmark behind `make bench-quick`: the hot paths in a few
# minutes, printed as one table of ratios, so a change to one of them can be
# measured before it lands. It installs nothing: it checks for what it needs
# and stops with a message when something is missing.
#
#   1. builds frontdesk and cmd/loadgen (and, with BENCH_REF=<git rev>, the
#      server from that revision, for a before/after in one run, both
#      driven by this build's loadgen);
#   2. pgbench runs the booking transaction (scripts/loadtest/booking.pgbench,
#      the server's own statements) at 8 and 32 clients;
#   3. one Frontdesk replica on a fresh PostgreSQL database (demo clinic and
#      40 load-test practitioners, outbox worker on, mail to a counting sink)
#      takes, each phase BENCH_PHASE long (default 10s):
#        warm     booking at 8 clients for 3 s, so calendars hold bookings;
#        avail32  availability for "anyone" at 32 clients: the service all
#                 40 load practitioners perform, 31 days, no practitioner;
#        f304     a practitioner's feed with If-None-Match at 8 clients;
#        feed     the same feed without it (a full build) at 8 clients;
#        book8, book32  booking at 8 and 32 clients;
#      then `loadgen check` (no overlaps, every 201 stored, each mail once);
#   4. prints the table: rate, p50, p99, the ratio to the baseline (booking)
#      or to the BENCH_REF build, and CPU per process during the load itself:
#      server, PostgreSQL (the database's backends), load generator (or
#      pgbench) in % of one core, and how busy the whole machine was; with
#      the wait events PostgreSQL's active backends were sampled in during
#      the 32-client booking phases.
# Environment: BENCH_PHASE (10s), BENCH_REF, BENCH_OUT (also write the table
# there), BENCH_KEEP=1, BENCH_PG_ADMIN_URL.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
WORK=$(mktemp -d /tmp/frontdesk-quick.XXXXXX)
# shellcheck source=loadtest/lib.sh
. "$ROOT/scripts/loadtest/lib.sh"
PHASE=${BENCH_PHASE:-10s}
SECS=${PHASE%s}
HZ=$(getconf CLK_TCK)

on_exit() {
  cleanup
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

for tool in go psql pgbench jq curl; do
  command -v "$tool" >/dev/null || die "$tool is missing; this script installs nothing (make deps or scripts/test-deps.sh does)"
done
pg_ready || die "PostgreSQL is not reachable at $PG_ADMIN_URL (scripts/test-deps.sh starts it)"
LOAD_START=$(uptime | sed 's/.*load average: //')
STARTED_AT=$(date -u '+%Y-%m-%d %H:%M UTC')

build_binaries
BUILDS=(head)
declare -A BIN_FD BIN_LG
BIN_FD[head]=$FRONTDESK BIN_LG[head]=$LOADGEN
if [ -n "${BENCH_REF:-}" ]; then
  rev=$(git rev-parse --short "$BENCH_REF") || die "BENCH_REF=$BENCH_REF is not a revision"
  mkdir -p "$WORK/ref"
  git archive "$rev" | tar -x -C "$WORK/ref"
  log "building $rev as the reference"
  (cd "$WORK/ref" && CGO_ENABLED=0 go build -o "$WORK/bin/frontdesk-ref" ./cmd/frontdesk) || die "building $rev"
  BUILDS=(ref head)
  # One load generator, this build's, drives both servers.
  BIN_FD[ref]=$WORK/bin/frontdesk-ref BIN_LG[ref]=$LOADGEN
fi

# sample_procs OUT DB SERVER_PID LOAD_PID [MARKER_FILE]: until killed, every
# 0.25 s, the clock ticks of the server, the load generator, every backend
# of database DB and the machine, and the wait event of each active
# backend. With MARKER_FILE it starts once the load generator wrote
# "load starts" there, so preparation is not counted.
sample_procs() {
  local out=$1 db=$2 srv=$3 lg=$4 marker=${5:-} i=0 now pids
  if [ -n "$marker" ]; then
    for _ in $(seq 1 1200); do grep -q 'load starts' "$marker" 2>/dev/null && break; sleep 0.05; done
  fi
  while kill -0 "$lg" 2>/dev/null; do
    now=$(date +%s.%N)
    echo "$i T x $now"
    psql "$PG_ADMIN_URL" -AtF' ' -c "select pid, case when state = 'active' then coalesce(wait_event_type || ':' || wait_event, 'CPU') else '-' end
      from pg_stat_activity where datname = '$db' and pid <> pg_backend_pid()" 2>/dev/null >"$out.now" || true
    pids=$(awk '{printf "/proc/%s/stat ", $1}' "$out.now")
    awk -v i="$i" '$2 != "-" {print i, "W", $2, 1}' "$out.now"
    # shellcheck disable=SC2086
    awk -v i="$i" -v s="$srv" -v l="$lg" '{
        split(FILENAME, f, "/"); k = (f[3] == s) ? "S" : (f[3] == l) ? "L" : "P"
        print i, k, f[3], $14 + $15 }' $pids "/proc/$lg/stat" ${srv:+/proc/$srv/stat} 2>/dev/null || true
    awk -v i="$i" '/^cpu /{print i, "M", $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat
    i=$((i + 1))
    sleep 0.25
  done >"$out"
}

# cpu_summary OUT: "server% pg% loadgen% machine%" over the samples, each
# process in % of one core; a backend first seen after the first sample
# counts from zero.
cpu_summary() {
  awk -v hz="$HZ" '
    $2 == "T" { if (!($1 in tm)) tm[$1] = $4; if (first == "") first = $4; last = $4; next }
    $2 == "M" { if (mb0 == "") { mb0 = $3; mt0 = $4 } mb1 = $3; mt1 = $4; next }
    $2 == "W" { next }
    { key = $2 " " $3
      if (!(key in base)) base[key] = ($1 == 0) ? $4 : 0
      lastv[key] = $4 }
    END {
      secs = last - first; if (secs <= 0) { print "n/a n/a n/a n/a"; exit }
      for (k in lastv) { split(k, p, " "); d[p[1]] += lastv[k] - base[k] }
      printf "%.0f %.0f %.0f %.0f\n", 100*d["S"]/hz/secs, 100*d["P"]/hz/secs, 100*d["L"]/hz/secs, (mt1 > mt0) ? 100*(mb1-mb0)/(mt1-mt0) : 0
    }' "$1"
}

# wait_summary OUT: what the database's active backends were doing, as
# "event share%" over all samples, most frequent first.
wait_summary() {
  awk '$2 == "W" { n[$3]++; t++ } END { for (e in n) printf "%s %.0f%%\n", e, 100*n[e]/t }' "$1" | sort -k2 -t' ' -rn | head -6 | paste -sd, - | sed 's/,/, /g'
}

# pgbench_phase NAME CLIENTS DB: the baseline at CLIENTS; one result line.
pgbench_phase() {
  local name=$1 c=$2 db=$3 j=$(( $2 < 2 ? 1 : 2 ))
  rm -f "$WORK/$name".log*
  (cd "$WORK" && exec pgbench -n -M prepared -f "$ROOT/scripts/loadtest/booking.pgbench" -c "$c" -j "$j" \
    -T "$SECS" -l --log-prefix="$name.log" "$(pg_url "$db")" >"$WORK/$name.out" 2>&1) &
  local pid=$!
  sample_procs "$WORK/$name.samples" "$db" "" "$pid" &
  local sampler=$!
  wait "$pid" || die "pgbench -c $c: $(tail -3 "$WORK/$name.out")"
  wait "$sampler" 2>/dev/null || true
  cat "$WORK/$name".log* | awk '{print $3/1000}' | sort -n >"$WORK/$name.lat"
  local tps
  tps=$(awk '/^tps = /{printf "%.0f", $3}' "$WORK/$name.out")
  awk -v tps="$tps" '{a[NR]=$1} END { printf "%s %.2f %.2f\n", tps, a[int(NR*0.50+0.999999)], a[int(NR*0.99+0.999999)] }' "$WORK/$name.lat" >"$WORK/$name.res"
  cpu_summary "$WORK/$name.samples" >"$WORK/$name.cpu"
  wait_summary "$WORK/$name.samples" >"$WORK/$name.waits"
  log "$name: $(cat "$WORK/$name.res") (tps p50 p99)"
}

# load_phase BUILD NAME ROUTE CLIENTS [run flags…]: one loadgen run against
# BUILD's replica; "rate p50 p99" of ROUTE in $WORK/BUILD-NAME.res.
load_phase() {
  local b=$1 name=$2 route=$3 clients=$4 rc=0
  shift 4
  local tag=$b-$name
  # A phase starts once the replica answers again (requests of the last one
  # a client gave up on may still be running).
  wait_ready "${PORTS[$b]}" 60 || die "the $b replica stopped answering before $name"
  : >"$WORK/$tag.err"
  "${BIN_LG[$b]}" run -base "http://127.0.0.1:${PORTS[$b]}" -email "${EMAILS[$b]}" -password "${PASSWORDS[$b]}" \
    -clients "$clients" -duration "$PHASE" -json -record "$WORK/$tag.record.json" "$@" >"$WORK/$tag.json" 2>"$WORK/$tag.err" &
  local pid=$!
  sample_procs "$WORK/$tag.samples" "${DBS[$b]}" "${FDPIDS[$b]}" "$pid" "$WORK/$tag.err" &
  local sampler=$!
  wait "$pid" || rc=$?
  wait "$sampler" 2>/dev/null || true
  if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then die "loadgen $tag ($rc): $(tail -3 "$WORK/$tag.err")"; fi
  jq -r --arg r "$route" '(.routes[] | select(.route == $r) | "\(.rps) \(.p50_ms) \(.p99_ms) \(.unexpected)") // "n/a n/a n/a n/a"' \
    "$WORK/$tag.json" >"$WORK/$tag.res"
  cpu_summary "$WORK/$tag.samples" >"$WORK/$tag.cpu"
  wait_summary "$WORK/$tag.samples" >"$WORK/$tag.waits"
  log "$tag: $(cat "$WORK/$tag.res") (rate p50 p99 unexpected)"
}

# feed_events PORT EMAIL PASSWORD: events in the feed loadgen polls (the
# clinic's first own practitioner's).
feed_events() {
  local base=http://127.0.0.1:$1 token pid url
  token=$(curl -fsS -X POST -H 'Content-Type: application/json' \
    -d "$(jq -n --arg e "$2" --arg p "$3" '{email: $e, password: $p}')" "$base/api/v1/auth/tokens" | jq -r .token)
  pid=$(curl -fsS "$base/api/v1/practitioners" | jq -r '[.practitioners[] | select(.name | startswith("Load test") | not)][0].id')
  url=$(curl -fsS -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
    -d "$(jq -n --arg p "$pid" '{practitioner_id: $p}')" "$base/api/v1/feed-tokens" | jq -r .url)
  curl -fsS "$base/${url#*://*/}" | grep -c '^BEGIN:VEVENT' || true
}

# --- baseline --------------------------------------------------------------------------
BASE_DB=frontdesk_quick_base_$$
new_db "$BASE_DB"
DATABASE_URL=$(pg_url "$BASE_DB") DATA_DIR=$WORK/data-base "$FRONTDESK" migrate >/dev/null || die "frontdesk migrate (baseline)"
psql "$(pg_url "$BASE_DB")" -qf scripts/loadtest/baseline-seed.sql >/dev/null || die "seeding the baseline"
pgbench_phase pgb8 8 "$BASE_DB"
pgbench_phase pgb32 32 "$BASE_DB"

# --- replicas ----------------------------------------------------------------------------
declare -A PORTS DBS FDPIDS EMAILS PASSWORDS SINKS
port=8190 smtp=2625
for b in "${BUILDS[@]}"; do
  DBS[$b]=frontdesk_quick_${b}_$$ PORTS[$b]=$port
  new_db "${DBS[$b]}"
  start_sink "$smtp" $((smtp + 1))
  SINKS[$b]=$SINK_URL
  FRONTDESK=${BIN_FD[$b]} start_frontdesk "$b" "$port" "$(pg_url "${DBS[$b]}")" --demo
  FDPIDS[$b]=$(cat "$WORK/$b.pid")
  wait_ready "$port" 60 || die "the $b replica did not become ready: $(tail -20 "$WORK/$b.err")"
  demo_credentials "$b"
  EMAILS[$b]=$STAFF_EMAIL PASSWORDS[$b]=$STAFF_PASSWORD
  "${BIN_LG[$b]}" setup -base "http://127.0.0.1:$port" -email "$STAFF_EMAIL" -password "$STAFF_PASSWORD" -practitioners 40 >&2 \
    || die "loadgen setup ($b)"
  port=$((port + 1)) smtp=$((smtp + 2))
done

# Each phase runs for every build before the next phase starts, so a
# before/after pair shares the machine's load of that minute.
each() { for b in "${BUILDS[@]}"; do load_phase "$b" "$@"; done; }
for b in "${BUILDS[@]}"; do
  "${BIN_LG[$b]}" run -base "http://127.0.0.1:${PORTS[$b]}" -clients 8 -duration 3s -mix book=1 -record "$WORK/$b-warm.record.json" \
    >/dev/null 2>"$WORK/$b-warm.err" || die "warm-up booking ($b): $(tail -3 "$WORK/$b-warm.err")"
done
# The outbox worker sends the warm-up's mail first, so reads measure reads.
for b in "${BUILDS[@]}"; do
  for _ in $(seq 1 120); do
    [ "$(psql "$(pg_url "${DBS[$b]}")" -Atc "select count(*) from outbox where status = 'pending' and due_at < now() + interval '5 minutes'")" = 0 ] && break
    sleep 0.25
  done
done
each avail32 availability 32 -mix availability=1 -avail-days 31 -avail-service load
each f304 feed-304 8 -mix feed-conditional=1 -feed-tokens 200
each feed feed 8 -mix feed=1 -feed-tokens 200
declare -A EVENTS
for b in "${BUILDS[@]}"; do EVENTS[$b]=$(feed_events "${PORTS[$b]}" "${EMAILS[$b]}" "${PASSWORDS[$b]}"); done
each book8 book 8 -mix book=1
each book32 book 32 -mix book=1
CHECK=()
for b in "${BUILDS[@]}"; do
  rec=()
  for f in "$WORK/$b"-*.record.json; do rec+=(-record "$f"); done
  "${BIN_LG[$b]}" check -dsn "$(pg_url "${DBS[$b]}")" -sink "${SINKS[$b]}" -drain 60s -json "${rec[@]}" >"$WORK/$b.check.json" || true
  CHECK+=("$b: $(jq -r '"\(.overlaps) overlaps, \(.missing) missing, \(.sent_not_at_sink) lost, \(.delivered_twice) doubled, ok \(.ok)"' "$WORK/$b.check.json" 2>/dev/null || echo "no result")")
done

# --- the table --------------------------------------------------------------------------------
field() { awk -v k="$2" '{print $k}' "$WORK/$1.res" 2>/dev/null || echo n/a; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.0f%%", 100*a/b; else print "n/a" }'; }
cpu() { awk '{printf "%s / %s / %s / %s", $1, $2, $3, $4}' "$WORK/$1.cpu"; }
row() { # row LABEL CLIENTS TAG VERSUS
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$(field "$3" 1)" "$(field "$3" 2)" "$(field "$3" 3)" "$4" "$(cpu "$3")"
}
report() {
  echo "Quick bench, $STARTED_AT, commit $(git rev-parse --short HEAD)${BENCH_REF:+ against $BENCH_REF}; phases of $PHASE."
  echo "Load average at the start: $LOAD_START; at the end: $(uptime | sed 's/.*load average: //') ($(nproc) cores, shared)."
  echo
  echo '| phase | clients | per s | p50 ms | p99 ms | ratio | CPU % of a core: server / PostgreSQL / loadgen (pgbench) / machine busy |'
  echo '|---|---:|---:|---:|---:|---:|---|'
  row "pgbench baseline: booking transaction" 8 pgb8 100%
  row "pgbench baseline: booking transaction" 32 pgb32 100%
  for b in "${BUILDS[@]}"; do
    local label=${b/head/this build}
    [ "$b" = ref ] && label="$BENCH_REF"
    row "HTTP booking ($label)" 8 "$b-book8" "$(ratio "$(field "$b-book8" 1)" "$(field pgb8 1)") of pgbench"
    row "HTTP booking ($label)" 32 "$b-book32" "$(ratio "$(field "$b-book32" 1)" "$(field pgb32 1)") of pgbench"
  done
  for ph in avail32:32:"availability for anyone, 31 days, 40 practitioners" f304:8:"feed 304 (If-None-Match)" feed:8:"full feed"; do
    IFS=: read -r name c label <<<"$ph"
    for b in "${BUILDS[@]}"; do
      local vs="" tag=$b-$name
      [ "$b" = head ] && [ "${#BUILDS[@]}" = 2 ] && vs="$(ratio "$(field "$tag" 1)" "$(field "ref-$name" 1)") of ref"
      local l=$label
      [ "$name" = feed ] && l="$label (${EVENTS[$b]} events)"
      [ "${#BUILDS[@]}" = 2 ] && l="$l, $b"
      row "$l" "$c" "$tag" "$vs"
    done
  done
  echo
  echo "PostgreSQL wait events of active backends (share of samples every 0.25 s; CPU = running):"
  echo "- pgbench 32: $(cat "$WORK/pgb32.waits")"
  for b in "${BUILDS[@]}"; do echo "- HTTP booking 32 ($b): $(cat "$WORK/$b-book32.waits")"; done
  echo
  echo "Check: ${CHECK[*]}"
}
report | tee "${BENCH_OUT:-/dev/null}"
