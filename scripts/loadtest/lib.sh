# Shared helpers of scripts/bench.sh and scripts/loadtest/replicas.sh.
# Source it after setting WORK (a scratch directory) and ROOT (the repository).
# Everything started here is recorded in STARTED and stopped by cleanup, by
# process id; databases made here are dropped unless BENCH_KEEP=1.

PG_ADMIN_URL=${BENCH_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
PG_CLUSTER_VERSION=${PG_CLUSTER_VERSION:-15}
STARTED=()
CREATED_DBS=()

log() { printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# pg_url DB prints the URL of database DB on the admin server.
pg_url() {
  local base=${PG_ADMIN_URL%%\?*}
  printf '%s/%s?sslmode=disable' "${base%/*}" "$1"
}

pg_ready() { psql "$PG_ADMIN_URL" -Atqc 'select 1' >/dev/null 2>&1; }

# new_db NAME creates an empty database (dropping one of that name first).
new_db() {
  PGOPTIONS="-c client_min_messages=warning" psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null \
    || die "cannot create database $1 at $PG_ADMIN_URL"
  CREATED_DBS+=("$1")
}

# build_binaries puts frontdesk (with symbols, for perf) and loadgen in $WORK/bin.
build_binaries() {
  mkdir -p "$WORK/bin"
  log "building frontdesk and loadgen"
  (cd "$ROOT" && CGO_ENABLED=0 go build -o "$WORK/bin/frontdesk" ./cmd/frontdesk) || die "go build ./cmd/frontdesk"
  (cd "$ROOT" && go build -o "$WORK/bin/loadgen" ./cmd/loadgen) || die "go build ./cmd/loadgen"
  FRONTDESK=$WORK/bin/frontdesk
  LOADGEN=$WORK/bin/loadgen
}

# start_sink SMTP_PORT HTTP_PORT starts the counting SMTP sink; sets SINK_URL.
start_sink() {
  "$LOADGEN" sink -listen "127.0.0.1:$1" -http "127.0.0.1:$2" >"$WORK/sink.log" 2>&1 &
  SINK_PID=$!
  STARTED+=("$SINK_PID")
  SINK_URL=http://127.0.0.1:$2
  SMTP_URL_FOR_SINK="smtp://127.0.0.1:$1?tls=none"
  for _ in $(seq 1 50); do curl -fsS "$SINK_URL/counts" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "the SMTP sink did not start: $(cat "$WORK/sink.log")"
}

# start_frontdesk NAME PORT DB_URL [serve flags…] starts a replica in the
# background; its pid is in $WORK/NAME.pid, its output in $WORK/NAME.out/.err.
# The rate limits are off: one load generator plays thousands of patients
# and calendar apps from one address, each feed token polled back to back.
# /metrics wants the bearer METRICS_TOKEN (scrape it with metrics PORT).
METRICS_TOKEN=${METRICS_TOKEN:-loadtest-metrics-$RANDOM$RANDOM$RANDOM}
start_frontdesk() {
  local name=$1 port=$2 db=$3
  shift 3
  ADDR=127.0.0.1:$port DATABASE_URL=$db DATA_DIR=$WORK/data-$name BASE_URL=http://127.0.0.1:$port \
    SMTP_URL=$SMTP_URL_FOR_SINK MAIL_FROM=clinic@example.com PUBLIC_RATE_LIMIT=0 FEED_RATE_LIMIT=0 LOG_LEVEL=warn \
    METRICS_TOKEN=$METRICS_TOKEN "$FRONTDESK" serve "$@" >>"$WORK/$name.out" 2>>"$WORK/$name.err" &
  local pid=$!
  echo "$pid" >"$WORK/$name.pid"
  STARTED+=("$pid")
}

# is_ready PORT reports whether /readyz answers 200 now.
is_ready() { [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ]; }

# wait_ready PORT [SECONDS] waits for /readyz to answer 200.
wait_ready() {
  local deadline=$((SECONDS + ${2:-30}))
  while ((SECONDS < deadline)); do
    is_ready "$1" && return 0
    sleep 0.1
  done
  return 1
}

# demo_credentials NAME reads the sign-in serve --demo printed: sets STAFF_EMAIL, STAFF_PASSWORD.
demo_credentials() {
  local line
  line=$(grep -m1 'Staff sign-in:' "$WORK/$1.out") || die "serve --demo printed no staff sign-in: $(tail -5 "$WORK/$1.err")"
  STAFF_EMAIL=$(sed -E 's/.*Staff sign-in: ([^ ]+) \/ ([^ ]+).*/\1/' <<<"$line")
  STAFF_PASSWORD=$(sed -E 's/.*Staff sign-in: ([^ ]+) \/ ([^ ]+).*/\2/' <<<"$line")
}

# rss_mib PID prints the resident set of a process in MiB.
rss_mib() { ps -o rss= -p "$1" | awk '{printf "%.1f", $1/1024}'; }

# metrics PORT prints the replica's /metrics.
metrics() { curl -fsS -H "Authorization: Bearer $METRICS_TOKEN" "http://127.0.0.1:$1/metrics"; }

# goroutines PORT prints go_goroutines from /metrics.
goroutines() { metrics "$1" | awk '$1=="go_goroutines"{print $2}'; }

# sample_rss PID FILE samples the RSS (MiB) every 0.5 s into FILE until killed.
sample_rss() {
  while kill -0 "$1" 2>/dev/null; do rss_mib "$1" >>"$2"; echo >>"$2"; sleep 0.5; done
}

# max_of FILE prints the largest number in FILE.
max_of() { sort -n "$1" | tail -1; }

# stop_pid PID stops one process we started and waits for it.
stop_pid() {
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}

# cpu_ticks PID prints the user+system clock ticks a process has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# machine_ticks prints busy and total clock ticks of all CPUs.
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat; }

# ensure_pg_started starts the cluster if a fault test left it stopped.
ensure_pg_started() {
  pg_ready && return 0
  log "PostgreSQL is down: starting cluster $PG_CLUSTER_VERSION main"
  pg_ctlcluster --skip-systemctl-redirect "$PG_CLUSTER_VERSION" main start >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do pg_ready && return 0; sleep 0.5; done
  log "PostgreSQL did not come back: run pg_ctlcluster $PG_CLUSTER_VERSION main start"
}

cleanup() {
  local pid db
  ensure_pg_started
  for pid in "${STARTED[@]}"; do stop_pid "$pid"; done
  if [ "${BENCH_KEEP:-0}" != 1 ]; then
    for db in "${CREATED_DBS[@]}"; do
      psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
}

# feed_works PORT reports whether the calendar feed route answers (it makes
# a feed link with the staff sign-in in STAFF_EMAIL/STAFF_PASSWORD).
feed_works() {
  local token url
  token=$(curl -fsS -X POST -H 'Content-Type: application/json' \
    -d "$(jq -n --arg e "$STAFF_EMAIL" --arg p "$STAFF_PASSWORD" '{email: $e, password: $p}')" \
    "http://127.0.0.1:$1/api/v1/auth/tokens" | jq -r .token) || return 1
  url=$(curl -fsS -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d '{}' \
    "http://127.0.0.1:$1/api/v1/feed-tokens" | jq -r .url) || return 1
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/${url#*://*/}")" = 200 ]
}

# NOFEED_MIX is the realistic mix without feed polls, for a server that has
# no feed route yet.
NOFEED_MIX=availability=40,book=15,contended-book=5,reschedule=5,cancel=5
