#!/usr/bin/env bash
# The soak: `warmpool serve` for a while under tenant churn, child processes (real fork()s) and
# runtime setting changes over JMX, watched from outside. Fails when the process grows.
#
#   deploy/soak/soak.sh [--duration 1h] [--sample 5s] [--warmup 2m] [--out DIR]
#
#   serve      ./warmpool serve on a small pool: tenants acquire, dirty, hold 2ms and release
#              without pause; a child process (/bin/true) every 2s while an instance is held
#              (workload.fork-interval, with -Djdk.lang.Process.launchMechanism=FORK so that each
#              is a fork() that runs warmpool's atfork handlers)
#   operator   deploy/soak/SoakSettings.java: every 3s one JMX change (keep-resident bytes of each
#              kind, the warm-slot bound, the reset strategy), read back
#   sampler    every --sample: RSS (VmRSS), open descriptors (/proc/PID/fd), /proc/PID/maps lines,
#              threads (Threads:), into DIR/samples.tsv (counts: the least of three reads 50 ms
#              apart, so that a child being started is not counted as growth)
#   verdict    after --warmup (JIT, heap and code cache settling), the least-squares slope of each
#              series per minute; fails (exit 1) when one exceeds its bound:
#                RSS 2048 KiB/min   descriptors 2/min   maps lines 6/min   threads 2/min
#              (override: SOAK_MAX_RSS_KIB, SOAK_MAX_FDS, SOAK_MAX_MAPS, SOAK_MAX_THREADS, per minute)
#              Also fails when serve dies, exits non-zero at SIGTERM, or the operator saw a change
#              refused. A leak of one descriptor, mapping or thread per fork is 30/min; one page per
#              reset is megabytes a minute: the bounds sit well above what a settled JVM wanders
#              (a few threads and mappings come and go, RSS moves by a few MiB) and well below those.
#
# Needs: the jar (mvn -B -q -DskipTests package; serve must be up within 60 s, so build it first),
# java 17+ with jdk.attach, awk. Exit 0: no growth.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

duration=1h sample=5s warmup=2m out=
while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --sample) sample=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

seconds() { # 90, 500ms (rounded up), 30s, 2m, 1h
  local v=$1
  case $v in
    *ms) echo $(( (${v%ms} + 999) / 1000 )) ;;
    *s) echo "${v%s}" ;;
    *m) echo $(( ${v%m} * 60 )) ;;
    *h) echo $(( ${v%h} * 3600 )) ;;
    *) echo "$v" ;;
  esac
}
total=$(seconds "$duration") every=$(seconds "$sample") settle=$(seconds "$warmup")
if (( every < 1 || total <= settle + 4 * every )); then
  echo "soak: --duration ($duration) must exceed --warmup ($warmup) by at least four samples of $sample" >&2
  exit 2
fi
max_rss=${SOAK_MAX_RSS_KIB:-2048} max_fds=${SOAK_MAX_FDS:-2} max_maps=${SOAK_MAX_MAPS:-6} max_threads=${SOAK_MAX_THREADS:-2}

out=${out:-$(mktemp -d /tmp/warmpool-soak.XXXXXX)}
mkdir -p "$out"
echo "soak: $duration (sampling every $sample, slopes after $warmup) into $out" >&2

serve_pid= operator_pid=
cleanup() {
  [[ -n $operator_pid ]] && kill "$operator_pid" 2>/dev/null || true
  [[ -n $serve_pid ]] && kill -KILL "$serve_pid" 2>/dev/null || true
}
trap cleanup EXIT

WARMPOOL_JAVA_OPTS="-Djdk.lang.Process.launchMechanism=FORK ${WARMPOOL_JAVA_OPTS:-}" \
  "$root/warmpool" serve --workload synthetic --metrics.port 0 --summary-interval 1m \
  --pool.memories 16 --pool.memory-max 16MiB --pool.memory-guard 64KiB --pool.tables 16 \
  --pool.table-elements 10000 --pool.stacks 16 --workload.threads 2 --workload.memory-max 4MiB \
  --workload.hold 2ms --workload.fork-interval 2s --workload.seed 16 \
  2> "$out/serve.log" &
serve_pid=$!

# Serve is up when it has logged its banner (the MBean is registered before it).
for _ in $(seq 1 600); do
  grep -q '^.*serving ' "$out/serve.log" 2>/dev/null && break
  kill -0 "$serve_pid" 2>/dev/null || { echo "soak: serve exited at start:" >&2; cat "$out/serve.log" >&2; exit 1; }
  sleep 0.1
done
grep -q 'serving ' "$out/serve.log" || { echo "soak: serve did not start in 60 s" >&2; exit 1; }

java "$here/SoakSettings.java" "$serve_pid" 3000 16 > "$out/operator.log" 2>&1 &
operator_pid=$!

printf 't_s\trss_kib\tfds\tmaps\tthreads\n' > "$out/samples.tsv"
start=$(date +%s%N)
while :; do
  now=$(date +%s%N)
  elapsed=$(( (now - start) / 1000000000 ))
  (( elapsed >= total )) && break
  if ! kill -0 "$serve_pid" 2>/dev/null; then
    echo "soak: serve died after ${elapsed}s:" >&2; tail -20 "$out/serve.log" >&2; exit 1
  fi
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$serve_pid/status")
  # Counts are the least of three reads 50 ms apart: a child being started holds a few pipes and
  # a mapping or two for a millisecond, which is not growth; a leak stays in all three reads.
  threads= fds= maps=
  for _ in 1 2 3; do
    t=$(awk '/^Threads:/ {print $2}' "/proc/$serve_pid/status")
    f=$(find "/proc/$serve_pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
    m=$(wc -l < "/proc/$serve_pid/maps")
    threads=$(( ${threads:-t} < t ? ${threads:-t} : t )) fds=$(( ${fds:-f} < f ? ${fds:-f} : f ))
    maps=$(( ${maps:-m} < m ? ${maps:-m} : m ))
    sleep 0.05
  done
  printf '%s\t%s\t%s\t%s\t%s\n' "$(awk -v n="$(( now - start ))" 'BEGIN {printf "%.1f", n / 1e9}')" \
    "$rss" "$fds" "$maps" "$threads" >> "$out/samples.tsv"
  sleep "$every"
done

kill -TERM "$serve_pid"
serve_status=0
wait "$serve_pid" || serve_status=$?
serve_pid=
operator_status=0
wait "$operator_pid" || operator_status=$?
operator_pid=

# Least-squares slope of each series per minute after the warm-up, against its bound (slopes.awk).
verdict=$(awk -F'\t' -v settle="$settle" -v max_rss="$max_rss" -v max_fds="$max_fds" -v max_maps="$max_maps" \
  -v max_threads="$max_threads" -f "$here/slopes.awk" "$out/samples.tsv")
echo "$verdict" | tee "$out/verdict.txt"
forks=$(grep -o 'started [0-9]* child processes' "$out/serve.log" | grep -o '[0-9]*' || echo 0)
changes=$(tail -1 "$out/operator.log")
echo "serve exit $serve_status; $forks child processes; operator: $changes (exit $operator_status)" | tee -a "$out/verdict.txt"

status=0
grep -q '^FAIL' "$out/verdict.txt" && status=1
(( serve_status == 0 )) || { echo "soak: serve exited $serve_status at SIGTERM:" >&2; tail -20 "$out/serve.log" >&2; status=1; }
(( operator_status == 0 )) || { echo "soak: the operator saw changes refused:" >&2; grep -v '=[^ ]*$' "$out/operator.log" | tail -20 >&2; status=1; }
(( forks > 0 )) || { echo "soak: serve started no child process" >&2; status=1; }
exit $status
