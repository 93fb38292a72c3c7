# write_report prints BENCHMARKS.md from the files bench.sh left in $WORK.
# Sourced by scripts/bench.sh; uses its variables.

# route_stat RUN ROUTE FIELD prints one number of a route of a loadgen run.
route_stat() { jq -r --arg r "$2" --arg f "$3" '(.routes[] | select(.route == $r) | .[$f]) // "n/a"' "$WORK/$1.json"; }

# baseline_stat CLIENTS COLUMN: 2 tps, 3 p50, 4 p95, 5 p99.
baseline_stat() { awk -v c="$1" -v k="$2" '$1 == c {print $k}' "$WORK/baseline.txt"; }

# cpu_cell RUN: server % of a core / loadgen % of a core / machine busy %.
cpu_cell() { awk '{print $1"% / "$3"% / "$2"%"}' "$WORK/$1.cpu"; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100*a/b; else print "n/a" }'; }
met() {
  case "$1" in *n/a*|*null*) echo "not measured"; return ;; esac
  awk "BEGIN { exit !($1) }" && echo "**met**" || echo "**missed**"
}

booking_row() { # booking_row CLIENTS
  local run=book$1 rps
  rps=$(route_stat "$run" book rps)
  printf '| HTTP booking (loadgen) | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$rps" \
    "$(route_stat "$run" book p50_ms)" "$(route_stat "$run" book p95_ms)" "$(route_stat "$run" book p99_ms)" \
    "$(ratio "$rps" "$(baseline_stat "$1" 2)")" "$(cpu_cell "$run")"
}

# profile_top RUN: the server's hottest functions (inclusive), from perf:
# handlers, domain, storage and the libraries under them, without the
# middleware chain every request passes.
profile_top() {
  [ -s "$WORK/$1.perf" ] || { echo "(no profile: perf unavailable)"; return; }
  perf report -i "$WORK/$1.perf" --children --sort symbol --stdio -g none --percent-limit 1.5 2>/dev/null \
    | grep -E '^ +[0-9]' | grep -vE '\[k\] ' \
    | grep -E 'frontdesk/(domain|storage|notifications)|api\.\(\*Server\)\.[a-z]+ |gorm\.io/gorm\.\(\*DB\)|pgx/v5\.\(\*Conn\)|pgconn\.\(\*PgConn\)\.(Exec|receive)|encoding/json\.(Marshal|Unmarshal)|database/sql\.\(\*(DB|Tx)\)|runtime\.(gcBgMarkWorker|mallocgc)|Syscall6|go-mail|crypto/sha' \
    | grep -vE -- '-fm |Middleware|\.func[0-9]' \
    | head -24 | sed -E 's/ +- +- *$//' | awk '{c=$1; s=$2; $1=$2=""; sub(/^ +\[\.\] +/, ""); printf "%7s %7s  %s\n", c, s, $0}'
}

write_report() {
  local b32 b8p99 a32p99 f304p99 c1 c8 c32
  b32=$(route_stat book32 book rps)
  b8p99=$(route_stat book8 book p99_ms)
  a32p99=$(route_stat avail32 availability p99_ms)
  f304p99=$(route_stat feed8 feed-304 p99_ms)
  cat <<MD
# Frontdesk benchmarks

Written by \`scripts/bench.sh\` — do not edit by hand; run \`$COMMAND\` again.

- **Date:** $STARTED_AT
- **Command:** \`$COMMAND\` (phases of $PHASE per load run, pgbench ${PGB_SECONDS} s per client count)
- **Machine:** $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr); PostgreSQL $(psql "$PG_ADMIN_URL" -Atc 'show server_version' 2>/dev/null) (stock settings: synchronous_commit $(psql "$PG_ADMIN_URL" -Atc 'show synchronous_commit' 2>/dev/null), shared_buffers $(psql "$PG_ADMIN_URL" -Atc 'show shared_buffers' 2>/dev/null)); $(go version | cut -d' ' -f3)
- **Load average** at the start: $LOADAVG_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg). Server, PostgreSQL and load generator share these cores; other work on the machine shows up here.

Absolute numbers hold for this machine only. The figures that count are the
**ratios to the raw database baseline measured in the same run**: pgbench
running the booking transaction itself (\`scripts/loadtest/booking.pgbench\`:
the statements of the server's booking batch in one pipeline: booking locks,
idempotency key, patient upsert, booking under the exclusion constraint,
three outbox rows, audit row; one round trip and one transaction,
non-conflicting slots of 40 practitioners).

## Targets

| target (issue) | measured | result |
|---|---|---|
| booking over HTTP at 32 clients ≥ 50% of the pgbench baseline (8) | $b32 req/s vs $(baseline_stat 32 2) TPS = $(ratio "$b32" "$(baseline_stat 32 2)") | $(met "$b32 >= 0.5 * $(baseline_stat 32 2)") |
| booking p99 ≤ 20 ms at 8 clients (4, 8) | $b8p99 ms | $(met "$b8p99 <= 20") |
| availability, 31 days, all practitioners, p99 < 25 ms at 32 clients (3, 8) | $a32p99 ms | $(met "$a32p99 < 25") |
| feed 304 p99 < 5 ms (6, 8) | $f304p99 ms (8 clients) | $(met "$f304p99 < 5") |
| idle RSS < 40 MiB (8) | $IDLE_RSS MiB | $(met "$IDLE_RSS < 40") |
| RSS under load < 200 MiB (8) | $LOAD_RSS MiB (peak, sampled every 0.5 s) | $(met "$LOAD_RSS < 200") |
| no double booking, every 201 stored, each email sent once (4, 5, 8) | $(jq -s -r '"\(map(.overlaps) | add) overlaps, \(map(.missing) | add) missing, \(map(.sent_not_at_sink) | add) lost, \(map(.delivered_twice) | add) doubled (4 databases)"' "$WORK/check.json" "$WORK"/book*.check.json) | $( [ "$(jq -s 'all(.ok)' "$WORK/check.json" "$WORK"/book*.check.json)" = true ] && echo "**met**" || echo "**missed**") |

## Booking: HTTP against the raw database

| measurement | clients | per second | p50 ms | p95 ms | p99 ms | vs baseline | CPU: server / loadgen / machine |
|---|---:|---:|---:|---:|---:|---:|---|
$(for c in 1 8 32; do printf '| pgbench baseline | %s | %s | %s | %s | %s | 100%% | |\n' "$c" "$(baseline_stat "$c" 2)" "$(baseline_stat "$c" 3)" "$(baseline_stat "$c" 4)" "$(baseline_stat "$c" 5)"; done)
$(for c in 1 8 32; do booking_row "$c"; done)

An HTTP booking sends the baseline's statements (booking locks per quarter
hour of the block, idempotency key, patient upsert, booking, three outbox
rows, audit row) as one pgx batch, one round trip and one implicit
transaction; besides, it checks the slot against the practitioner's hours
and time off (from the replica's catalog copy, see \`CATALOG_CACHE_TTL\`),
and the outbox worker in the same process then sends two emails per booking
to the sink. Each client count ran on a fresh
database (demo clinic and 40 load-test practitioners) with a replica of its
own, so that no run finds the calendars filled by the one before.
PostgreSQL transactions per HTTP booking (1 and 8 clients, from
pg_stat_database, including the outbox worker's claims and marks): $(awk -v a="$COMMITS0" -v b="$COMMITS1" -v n="$(( $(route_stat book1 book count) + $(route_stat book8 book count) ))" 'BEGIN { if (n > 0) printf "%.1f", (b-a)/n; else print "n/a" }'), against 1 for the
baseline. CPU: the Frontdesk process and the load generator in % of one
core, and how busy all cores of the machine were.

## Reads

| measurement | clients | req/s | p50 ms | p95 ms | p99 ms | max ms | CPU: server / loadgen / machine |
|---|---:|---:|---:|---:|---:|---:|---|
| availability, 31 days, all practitioners of a service | 32 | $(route_stat avail32 availability rps) | $(route_stat avail32 availability p50_ms) | $(route_stat avail32 availability p95_ms) | $a32p99 | $(route_stat avail32 availability max_ms) | $(cpu_cell avail32) |
| feed with If-None-Match → 304 ($FEED_TOKENS feed links) | 8 | $(route_stat feed8 feed-304 rps) | $(route_stat feed8 feed-304 p50_ms) | $(route_stat feed8 feed-304 p95_ms) | $f304p99 | $(route_stat feed8 feed-304 max_ms) | $(cpu_cell feed8) |

## Realistic mix, 32 clients

\`$(jq -r .mix "$WORK/mix32.json")\` against one replica; booked slots are
cancelled and moved through the patient's manage link; contended bookings
fight over one slot at a time (one 201, the rest 409).$( [ "$FEED_OK" = 1 ] || printf '\n**Feed polls are left out of this mix: the server answered 404 on `/feeds/{token}.ics`.**')

| route | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | statuses |
|---|---:|---:|---:|---:|---:|---:|---|
$(jq -r '.routes[] | "| \(.route) | \(.count) | \(.rps) | \(.p50_ms) | \(.p95_ms) | \(.p99_ms) | \(.max_ms) | \(.statuses | to_entries | map("\(.key): \(.value)") | join(", ")) |"' "$WORK/mix32.json")

Total $(jq .rps "$WORK/mix32.json") req/s, $(jq .unexpected "$WORK/mix32.json") unexpected answers; $(jq .contended_slots_won "$WORK/mix32.json") contended slots won, $(jq .contended_double_wins "$WORK/mix32.json") won twice.

## Memory and goroutines (one replica)

| | RSS MiB | goroutines |
|---|---:|---:|
| idle, 5 s after a start on the seeded database (as a replica starts) | $IDLE_RSS | $IDLE_GOROUTINES |
| idle, 5 s after \`serve --demo\` seeded an empty database | $IDLE_DEMO_RSS | |
| idle, Go runtime (go_memstats, MiB) | $IDLE_MEM | |
| peak under load (all runs above) | $LOAD_RSS | $LOAD_GOROUTINES (after the runs) |

## Database check after all runs

\`loadgen check\`: $(jq -r '"\(.bookings) bookings (\(.live_bookings) live), \(.overlaps) overlapping live pairs; \(.accepted) accepted 201s, \(.missing) missing, \(.state_mismatch) differ from the last confirmed change; outbox \(.outbox_sent) sent, \(.outbox_scheduled) reminders scheduled later, \(.outbox_dead) dead; sink \(.sink_messages) messages, \(.sink_unique) unique Message-IDs, \(.sent_not_at_sink) lost, \(.delivered_twice) doubled; the outbox drained \(.drain_s) s after the last run"' "$WORK/check.json").
$(jq -r 'if (.problems | length) > 0 then "Problems: " + (.problems | join("; ")) else "" end' "$WORK/check.json")

Each booking-only run had a database, replica and sink of its own, checked the same way:

$(for n in book1 book8 book32; do [ -s "$WORK/$n.check.json" ] && jq -r --arg n "$n" '"- \($n): \(.bookings) bookings, \(.overlaps) overlapping live pairs; \(.accepted) accepted 201s, \(.missing) missing; outbox \(.outbox_sent) sent, \(.outbox_dead) dead; sink \(.sink_unique) unique Message-IDs, \(.sent_not_at_sink) lost, \(.delivered_twice) doubled; drained \(.drain_s) s after the run\(if (.problems | length) > 0 then "; problems: " + (.problems | join("; ")) else "" end)"' "$WORK/$n.check.json"; done)

## Where the time goes

Server CPU profiles (perf, inclusive % of samples, user space) during the
booking and availability runs at 32 clients and the feed run. Taken with \`perf record -g -p <frontdesk>\`; the server
exposes no pprof endpoint.

Booking, 32 clients:

\`\`\`
$(profile_top book32)
\`\`\`

Availability, 31 days, 32 clients:

\`\`\`
$(profile_top avail32)
\`\`\`

Feed 304s, 8 clients:

\`\`\`
$(profile_top feed8)
\`\`\`

$(cat "$ROOT/scripts/loadtest/notes.md" 2>/dev/null)
$(if [ ${#FAILED_RUNS[@]} -gt 0 ]; then echo; echo "## Runs that could not be measured"; echo; for f in "${FAILED_RUNS[@]}"; do echo "- $f"; done; fi)

## Go benchmarks

\`go test -run '^\$' -bench . -benchmem -benchtime $GOBENCHTIME ./domain ./storage ./notifications ./api\`

\`\`\`
$(cat "$WORK/gobench.txt")
\`\`\`

$(cat "$WORK/replicas.md" 2>/dev/null || echo "(replicas.sh was skipped: BENCH_REPLICAS=0)")
MD
}
