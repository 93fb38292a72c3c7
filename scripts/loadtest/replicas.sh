#!/usr/bin/env bash
# Two Frontdesk replicas on one PostgreSQL, then faults, then a soak:
#   A. load split across replicas on 8081 and 8082 (each with its outbox
#      worker): zero double bookings, every outbox message delivered exactly
#      once at the SMTP sink, no answers but the contended 409s;
#   B. kill -9 one replica mid-load and restart it: no accepted 201 lost, no
#      message lost or doubled;
#   C. stop PostgreSQL for ~5 s mid-load: requests fail fast with 503
#      problem+json, /readyz is not ready, both replicas recover by themselves;
#   D. soak: SOAK_MINUTES (default 10) of moderate load on one replica; RSS
#      and go_goroutines at the start and the end.
# By default PostgreSQL here is a private, throwaway cluster (initdb on port
# 5499 under /tmp) so stopping it cannot break anyone else's tests; set
# FAULT_PG=cluster to use the shared cluster instead (pg_ctlcluster
# $PG_CLUSTER_VERSION main stop/start, restored by a trap).
# Writes a Markdown section to REPLICAS_MD (default: stdout) and exits 1 if
# any check failed. bench.sh calls it; it also runs on its own.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
WORK=${RESULTS_WORK:-$(mktemp -d /tmp/frontdesk-replicas.XXXXXX)}
mkdir -p "$WORK"
# shellcheck source=lib.sh
. "$ROOT/scripts/loadtest/lib.sh"

SOAK_MINUTES=${SOAK_MINUTES:-10}
FAULT_PG=${FAULT_PG:-private}
PHASE=${REPLICAS_PHASE:-20s}
PORT_A=8081 PORT_B=8082
PGBIN=/usr/lib/postgresql/$PG_CLUSTER_VERSION/bin
PRIVATE_PORT=5499
PRIVATE_DIR=
FAILURES=()
fail() { FAILURES+=("$*"); log "CHECK FAILED: $*"; }

# --- the database server ---------------------------------------------------------------
start_private_pg() {
  [ "$(id -u)" = 0 ] || die "a private cluster needs root (runuser -u postgres); run as root or set FAULT_PG=cluster"
  PRIVATE_DIR=$(mktemp -d /tmp/frontdesk-pg.XXXXXX)
  chown postgres: "$PRIVATE_DIR"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PRIVATE_DIR/data" -A trust -U postgres --no-sync >/dev/null \
    || die "initdb of the private cluster"
  pg_private start
  PG_ADMIN_URL=postgres://postgres@127.0.0.1:$PRIVATE_PORT/postgres?sslmode=disable
}
pg_private() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PRIVATE_DIR/data" -l "$PRIVATE_DIR/log" -w -t 30 -m fast \
    -o "-p $PRIVATE_PORT -k $PRIVATE_DIR -c listen_addresses=127.0.0.1" "$1" >/dev/null
}
pg_stop() {
  if [ "$FAULT_PG" = cluster ]; then pg_ctlcluster --skip-systemctl-redirect "$PG_CLUSTER_VERSION" main stop -m fast
  else pg_private stop; fi
}
pg_start() {
  if [ "$FAULT_PG" = cluster ]; then pg_ctlcluster --skip-systemctl-redirect "$PG_CLUSTER_VERSION" main start
  else pg_private start; fi
}
ensure_db_up() {
  if [ "$FAULT_PG" = cluster ]; then ensure_pg_started; return; fi
  [ -n "$PRIVATE_DIR" ] && ! pg_ready && pg_private start || true
}
finish() {
  ensure_db_up
  cleanup
  if [ -n "$PRIVATE_DIR" ]; then
    pg_private stop || true
    rm -rf "$PRIVATE_DIR"
  fi
  [ -n "${RESULTS_WORK:-}" ] || [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap finish EXIT
trap 'exit 130' INT TERM

if [ "$FAULT_PG" = cluster ]; then pg_ready || die "PostgreSQL is not reachable at $PG_ADMIN_URL"
else start_private_pg; fi
if [ -z "${FRONTDESK:-}" ] || [ -z "${LOADGEN:-}" ]; then build_binaries; fi

DB=frontdesk_replicas_$$
new_db "$DB"
DBURL=$(pg_url "$DB")
start_sink 2535 2536
start_frontdesk a "$PORT_A" "$DBURL" --demo
wait_ready "$PORT_A" 60 || die "replica a did not become ready: $(tail -20 "$WORK/a.err")"
demo_credentials a
start_frontdesk b "$PORT_B" "$DBURL"
wait_ready "$PORT_B" 60 || die "replica b did not become ready: $(tail -20 "$WORK/b.err")"
"$LOADGEN" setup -base "http://127.0.0.1:$PORT_A" -email "$STAFF_EMAIL" -password "$STAFF_PASSWORD" -practitioners 20 >&2
BASES=http://127.0.0.1:$PORT_A,http://127.0.0.1:$PORT_B
MIX_A=$(sed -n 's/^const defaultMix = "\(.*\)"$/\1/p' "$ROOT/cmd/loadgen/mix.go")
[ -n "$MIX_A" ] || die "cannot read defaultMix from cmd/loadgen/mix.go"
MIX_C=book=5,availability=5,feed-conditional=2
# Feed polls spread over many links: the server allows 60 a minute per link.
FEED_ARGS=(-feed-tokens 300)
if ! feed_works "$PORT_A"; then
  log "the feed route does not answer: runs without feed polls"
  MIX_A=$NOFEED_MIX MIX_C=book=5,availability=5 FEED_ARGS=()
fi

# run_load NAME CLIENTS [flags…]: loadgen against both replicas, JSON in $WORK/NAME.json.
run_load() {
  local name=$1 clients=$2
  shift 2
  local rc=0
  "$LOADGEN" run -base "$BASES" -email "$STAFF_EMAIL" -password "$STAFF_PASSWORD" -clients "$clients" \
    -json -record "$WORK/$name.record.json" "$@" >"$WORK/$name.json" 2>>"$WORK/loadgen.err" || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || die "loadgen $name failed ($rc): $(tail -3 "$WORK/loadgen.err")"
  return 0
}

# CRASHES counts the replicas killed so far: each kill -9 may repeat the one
# message its worker had handed to the SMTP server and not yet marked sent
# (with the same Message-ID, so a mail client shows it once).
CRASHES=0

# check_db NAME: the database and sink check over every run's record so far.
check_db() {
  local args=() r rc=0
  for r in "$WORK"/*.record.json; do args+=(-record "$r"); done
  "$LOADGEN" check -dsn "$DBURL" -sink "$SINK_URL" -drain 180s -crashes "$CRASHES" -json "${args[@]}" >"$WORK/$1.check.json" || rc=$?
  [ -s "$WORK/$1.check.json" ] || die "loadgen check $1 gave no result"
  [ "$rc" = 0 ] || fail "$1: $(jq -r '.problems | join("; ")' "$WORK/$1.check.json")"
}

# statuses NAME: "201:n 409:n …" over all routes of a run.
statuses() {
  jq -r '[.routes[].statuses | to_entries[]] | group_by(.key) | map("\(.[0].key):\(map(.value) | add)") | join(" ")' "$WORK/$1.json"
}

# samples NAME: the first unexpected answers of a run, route, status and body.
samples() {
  jq -r '(.unexpected_samples // []) | map("\(.route) \(.status) \(.body)") | join("; ")' "$WORK/$1.json"
}

# --- A. two replicas ------------------------------------------------------------------------
log "A: realistic mix across two replicas for $PHASE"
run_load replicas 32 -duration "$PHASE" -mix "$MIX_A" "${FEED_ARGS[@]}"
[ "$(jq .unexpected "$WORK/replicas.json")" = 0 ] || fail "A: unexpected answers: $(statuses replicas); first: $(samples replicas)"
check_db replicas

# --- B. kill -9 a replica -------------------------------------------------------------------------
log "B: kill -9 replica a mid-load, restart it"
run_load kill 16 -duration 30s -allow-errors -mix book=10,contended-book=2,reschedule=3,cancel=3,availability=5 &
LOADPID=$!
sleep 8
KILLED_PID=$(cat "$WORK/a.pid")
kill -9 "$KILLED_PID"
KILL_AT=$SECONDS
CRASHES=$((CRASHES + 1))
sleep 4
start_frontdesk a "$PORT_A" "$DBURL"
wait_ready "$PORT_A" 60 || fail "B: replica a did not come back"
RESTART_S=$((SECONDS - KILL_AT))
wait "$LOADPID" || die "B: load run failed"
check_db kill
B_LOST=$(jq .missing "$WORK/kill.check.json")

# --- C. PostgreSQL stops for ~5 s ----------------------------------------------------------
log "C: stop PostgreSQL for ~5 s mid-load ($FAULT_PG)"
run_load pgstop 8 -duration 25s -allow-errors -mix "$MIX_C" "${FEED_ARGS[@]}" &
LOADPID=$!
sleep 6
pg_stop
DOWN_AT=$SECONDS
sleep 1
body='{"service_id":"00000000-0000-4000-8000-000000000000","start":"2031-01-06T14:00:00Z","patient":{"name":"P","email":"p@example.com"}}'
PROBE_BOOK=$(curl -s -o "$WORK/probe-book.json" -w '%{http_code} %{time_total} %{content_type}' -X POST \
  -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$PORT_B/api/v1/bookings" || true)
PROBE_AVAIL=$(curl -s -o "$WORK/probe-avail.json" -w '%{http_code} %{time_total} %{content_type}' \
  "http://127.0.0.1:$PORT_A/api/v1/services" || true)
PROBE_READY_A=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT_A/readyz" || true)
PROBE_READY_B=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT_B/readyz" || true)
sleep $((5 - (SECONDS - DOWN_AT) > 0 ? 5 - (SECONDS - DOWN_AT) : 0))
pg_start
UP_AT=$SECONDS
RECOVER_S=unknown
for _ in $(seq 1 300); do
  if is_ready "$PORT_A" && is_ready "$PORT_B"; then RECOVER_S=$((SECONDS - UP_AT)); break; fi
  sleep 0.1
done
wait "$LOADPID" || die "C: load run failed"
# Bookings after recovery: a short clean run must see no error at all.
run_load after 8 -duration 5s -mix book=5,availability=5
[ "$(jq .unexpected "$WORK/after.json")" = 0 ] || fail "C: errors after recovery: $(statuses after); first: $(samples after)"
check_db pgstop

read -r pb_code pb_time pb_type <<<"$PROBE_BOOK"
read -r pa_code pa_time pa_type <<<"$PROBE_AVAIL"
[ "$pb_code" = 503 ] && [[ "$pb_type" == application/problem+json* ]] || fail "C: POST /bookings while down gave $PROBE_BOOK, want 503 problem+json"
awk -v t="$pb_time" 'BEGIN{exit !(t < 2)}' || fail "C: POST /bookings took ${pb_time}s to fail, want under 2s"
[ "${PROBE_READY_A%% *}" = 503 ] || fail "C: /readyz on a while down gave $PROBE_READY_A, want 503"
[ "$RECOVER_S" != unknown ] || fail "C: the replicas did not become ready within 30 s of PostgreSQL returning"

# --- D. soak ------------------------------------------------------------------------------------------
log "D: soak, $SOAK_MINUTES minutes of moderate load on replica b"
SOAK_PID=$(cat "$WORK/b.pid")
: >"$WORK/soak.series"
soak_sample() { printf '%s %s %s\n' "$1" "$(rss_mib "$SOAK_PID")" "$(goroutines "$PORT_B")" >>"$WORK/soak.series"; }
soak_sample 0
BASES=http://127.0.0.1:$PORT_B run_load soak 4 -duration "${SOAK_MINUTES}m" -think 20ms -mix "$MIX_A" "${FEED_ARGS[@]}" &
LOADPID=$!
for ((s = 30; s <= SOAK_MINUTES * 60; s += 30)); do
  sleep 30
  soak_sample "$s"
done
wait "$LOADPID" || die "D: soak run failed"
sleep 2
soak_sample end
check_db soak
SOAK_START_RSS=$(awk 'NR==2{print $2}' "$WORK/soak.series")
SOAK_END_RSS=$(awk 'END{print $2}' "$WORK/soak.series")
SOAK_START_G=$(awk 'NR==2{print $3}' "$WORK/soak.series")
SOAK_END_G=$(awk 'END{print $3}' "$WORK/soak.series")
awk -v a="$SOAK_START_RSS" -v b="$SOAK_END_RSS" 'BEGIN{exit !(b <= a*1.5 + 10)}' \
  || fail "D: RSS grew from $SOAK_START_RSS to $SOAK_END_RSS MiB"
awk -v a="$SOAK_START_G" -v b="$SOAK_END_G" 'BEGIN{exit !(b <= a + 20)}' \
  || fail "D: goroutines grew from $SOAK_START_G to $SOAK_END_G"

# --- the section for BENCHMARKS.md ----------------------------------------------------------------
route_row() { # route_row RUN ROUTE
  jq -r --arg r "$2" '.routes[] | select(.route == $r) |
    "| \($r) | \(.count) | \(.rps) | \(.p50_ms) | \(.p99_ms) | \(.statuses | to_entries | map("\(.key): \(.value)") | join(", ")) |"' "$WORK/$1.json"
}
check_line() { # check_line NAME
  jq -r '"\(.bookings) bookings (\(.live_bookings) live), **\(.overlaps) overlaps**; \(.accepted) accepted 201s, **\(.missing) missing**, \(.state_mismatch) state mismatches, \(.uncertain) uncertain; outbox \(.outbox_sent) sent, \(.outbox_pending_due) still due, \(.outbox_dead) dead; sink \(.sink_messages) messages / \(.sink_unique) unique: **\(.sent_not_at_sink) lost, \(.delivered_twice) doubled** (\(.crash_repeats // 0) of them the one message a killed worker had in flight), \(.at_sink_not_sent) delivered but not marked sent; drained in \(.drain_s) s"' "$WORK/$1.check.json"
}
{
  echo "## Two replicas, faults and soak"
  echo
  echo "\`scripts/loadtest/replicas.sh\` — PostgreSQL: $( [ "$FAULT_PG" = cluster ] && echo "the shared cluster $PG_CLUSTER_VERSION/main" || echo "a private throwaway cluster (initdb, default settings, port $PRIVATE_PORT) so the fault cannot disturb other work on the machine" ). Replicas on $PORT_A and $PORT_B, each with its outbox worker; 20 load practitioners added; mail to the counting sink."
  echo
  echo "### A. Load split across two replicas ($PHASE, 32 clients)"
  echo
  echo "Mix \`$MIX_A\`$( [ "$MIX_A" = "$NOFEED_MIX" ] && echo ' (feed polls left out: the server answered 404 on the feed route)')."
  echo
  echo "| route | requests | req/s | p50 ms | p99 ms | statuses |"
  echo "|---|---:|---:|---:|---:|---|"
  for r in $(jq -r '.routes[].route' "$WORK/replicas.json"); do route_row replicas "$r"; done
  echo
  echo "Unexpected answers: **$(jq .unexpected "$WORK/replicas.json")** (409s on contended slots are expected; $(jq .contended_slots_won "$WORK/replicas.json") contended slots won, $(jq .contended_double_wins "$WORK/replicas.json") won twice)."
  echo "Database and sink: $(check_line replicas)."
  echo
  echo "### B. kill -9 of replica a mid-load (16 clients, booking-heavy)"
  echo
  echo "Killed at 8 s, restarted 4 s later, ready again ${RESTART_S} s after the kill. Answers seen: $(statuses kill) (\`transport\` = connection refused or reset by the dead replica; bookings are retried with the same Idempotency-Key on the other replica)."
  echo "Accepted bookings lost: **${B_LOST}**. Database and sink: $(check_line kill)."
  # Server errors other than the 503s of part C (awk reads everything: no SIGPIPE under pipefail).
  errors=$(awk '/level=ERROR/ && !/status=503/ && !/briefly unavailable/ && n++ < 5 { print substr($0, 1, 400) }' "$WORK"/a.err "$WORK"/b.err)
  if [ -n "$errors" ]; then
    echo
    echo "Server errors logged by the replicas over A–D, other than part C's 503s (first 5):"
    echo
    echo '```'
    echo "$errors"
    echo '```'
  fi
  echo
  echo "### C. PostgreSQL stopped for ~5 s mid-load"
  echo
  echo "| probe while down | status | time | content type |"
  echo "|---|---:|---:|---|"
  echo "| POST /api/v1/bookings (replica b) | $pb_code | ${pb_time} s | $pb_type |"
  echo "| GET /api/v1/services (replica a) | $pa_code | ${pa_time} s | $pa_type |"
  echo "| GET /readyz (a) | ${PROBE_READY_A%% *} | ${PROBE_READY_A##* } s | |"
  echo "| GET /readyz (b) | ${PROBE_READY_B%% *} | ${PROBE_READY_B##* } s | |"
  echo
  echo "Both replicas ready again **${RECOVER_S} s** after PostgreSQL was back, with no restart. Answers during the run: $(statuses pgstop). A clean run right after: $(statuses after), $(jq .unexpected "$WORK/after.json") unexpected."
  echo "Database and sink after all of A–C: $(check_line pgstop)."
  echo
  echo "### D. Soak: $SOAK_MINUTES minutes, 4 clients with 20 ms think time, replica b"
  echo
  echo "| at | RSS MiB | goroutines |"
  echo "|---|---:|---:|"
  awk '{printf "| %s | %s | %s |\n", ($1=="end" ? "end (idle)" : $1 " s"), $2, $3}' "$WORK/soak.series"
  echo
  echo "Requests: $(jq .requests "$WORK/soak.json") ($(jq .rps "$WORK/soak.json") req/s), unexpected $(jq .unexpected "$WORK/soak.json"). RSS $SOAK_START_RSS → $SOAK_END_RSS MiB, goroutines $SOAK_START_G → $SOAK_END_G. Check: $(check_line soak)."
  echo
  if [ ${#FAILURES[@]} = 0 ]; then
    echo "**All replica, fault and soak checks passed.**"
  else
    echo "**Failed checks:**"
    for f in "${FAILURES[@]}"; do echo "- $f"; done
  fi
  echo
} >"${REPLICAS_MD:-/dev/stdout}"
[ ${#FAILURES[@]} = 0 ]
