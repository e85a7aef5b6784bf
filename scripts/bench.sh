#!/usr/bin/env bash
# Run every benchmark with a count suited to it (the paced serial ones and
# the 10,000-enrolment push are slow by nature) and print Go's benchmark
# lines, whose custom metrics carry the figures quoted in the issues.
# Pass a regular expression to run only the groups whose name matches.
set -euo pipefail
cd "$(dirname "$0")/.."
only=${1:-.}

bench() { # name, benchtime, pattern, packages...
  local name=$1 t=$2 pat=$3; shift 3
  [[ $name =~ $only ]] || return 0
  echo "== $name"
  go test -run '^$' -bench "$pat" -benchtime "$t" -benchmem -count 1 "$@" |
    grep -E '^(Benchmark|ok|FAIL|---|\s+\S+_test\.go:[0-9]+:)' | tee /tmp/bench-$$.txt || true
  if grep -q '^FAIL' /tmp/bench-$$.txt; then failed="$failed $name"; fi
}
failed=

# status_ratios prints the status lookup's CPU per request on SQLite and
# PostgreSQL against the bare-HTTP floor measured in the same run.
status_ratios() {
  [ -s /tmp/bench-$$.txt ] || return 0
  awk '
    function metric(line, unit,  i, f) { n = split(line, f); for (i = 2; i <= n; i++) if (f[i] == unit) return f[i-1]; return "" }
    function cpu(line) { return metric(line, "cpu_us/lookup") }
    /^Benchmark.*floor-health/     { floor = cpu($0) }
    /^Benchmark.*session-sqlite/   { lite = cpu($0) }
    /^Benchmark.*session-postgres/ { pg = cpu($0); db = metric($0, "db_cpu_us/lookup"); nonce = metric($0, "pg_nonce_us/lookup")
                         acc = metric($0, "pg_access_us/lookup"); res = metric($0, "pg_resident_us/lookup"); oth = metric($0, "pg_other_us/lookup") }
    /^Benchmark.*ed25519-sqlite/   { ed = cpu($0) }
    END {
      if (floor == "") exit
      printf "status CPU per lookup: floor %.1f us | SQLite %.1f us (%.2fx) | PostgreSQL %.1f us (%.2fx, database server included) | Ed25519 on SQLite %.1f us (%.2fx)\n",
        floor, lite, lite/floor, pg, pg/floor, ed, ed/floor
      if (nonce != "")
        printf "PostgreSQL server per lookup: %.1f us of CPU, of which in its executor: nonce %.1f us, access record %.1f us, resident %.1f us, other %.1f us; the rest (protocol, commits, process switches) %.1f us\n",
          db, nonce, acc, res, oth, db - nonce - acc - res - oth
    }' /tmp/bench-$$.txt
}
trap 'rm -f /tmp/bench-$$.txt' EXIT

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
bench devices-slip     10x  .                   ./devices/slip
bench devices-reader   20x  .                   ./devices/idcard/idcardsim
bench devices-ssc      50x  ReadCard            ./devices/ssc/sscsim
bench devices-ssc-insert 10x InsertToRead       ./devices/ssc/sscsim
bench rules-token      1s   .                   ./codesvc/rules ./codesvc/token ./codesvc/verify ./codesvc/store/sqlitestore
bench service-status   3s   StatusLookup        ./codesvc/server
[[ service-status =~ $only ]] && status_ratios
bench service-load     1x   SeparateProcesses   ./cmd/codeservice
bench service-intake   2s   EnrolIntake         ./codesvc/server
bench outbox           300x .                   ./sync/localstore
bench crashpoint       1s   Hit                 ./internal/crashpoint
bench push-10000       1x   Push10000           ./sync/syncer
bench feed             50x  FeedApply           ./sync/syncer
bench card-to-paper    15x  CardToPaper         ./app/rig
bench thousand         1x   ThousandResidents   ./app/rig
bench ui-startup       5x   Startup             ./app/ui
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$failed" ]; then
  echo "benchmarks that failed:$failed" >&2
  exit 1
fi
