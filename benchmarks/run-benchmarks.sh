#!/usr/bin/env bash
# Reruns every figure of BENCHMARKS.md: the bench workloads of the targets, the matrix of workloads for
# auto, tune's prediction beside a measured run of the same profile, and the JMH benchmarks with short
# settings (among them the metrics overhead, whose ratio is printed last). About 20 minutes on two cores
# (each workload runs its contenders in three rounds taken in turn). Results go to bench-out/ (text, JSON, SVG, the profile).
#
#   benchmarks/run-benchmarks.sh            everything
#   benchmarks/run-benchmarks.sh --no-jmh   the bench and tune runs only
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench-out
mkdir -p "$out"

jmh=1
[[ "${1:-}" == "--no-jmh" ]] && jmh=0

echo "== build (mvn -B -q -DskipTests package)"
mvn -B -q -DskipTests package

pool=pagemap-guided,memset-keep-resident,madvise-all,written-tracked,pagemap-shed-every-n,auto
measure=(--iterations 3000 --warmup 1000 --warmup-seconds 1 --time-limit 6 --rounds 3)

bench() { # name, then bench flags
  local name=$1; shift
  echo "== $name: ./warmpool bench $*"
  ./warmpool bench "$@" --json "$out/$name.json" | tee "$out/$name.txt"
}

# Target 1 (and 3): pagemap-guided against memset-keep-resident on a 256 MiB slot, 16 MiB kept,
# 64 dirty pages in a 128 KiB hot set; Java against C. Its profile feeds tune below.
bench t1-hot-set --slot-bytes 256MiB --pool.memory-keep-resident 16MiB --dirty-pages 64 --spread-bytes 128KiB \
  --strategy "$pool,c-pagemap-guided,c-memset-keep-resident" "${measure[@]}" --profile-out "$out/t1-hot-set.prom"

# Target 2 (and 3): the matrix of workloads for auto.
bench m1-sparse      --slot-bytes 64MiB  --pool.memory-keep-resident 1MiB  --dirty-pages 16   --spread-bytes 64KiB \
  --strategy "$pool,c-pagemap-guided,c-memset-keep-resident" "${measure[@]}"
bench m2-all-kept-dirty --slot-bytes 64MiB --pool.memory-keep-resident 1MiB --dirty-pages 256 --spread-bytes 1MiB \
  --strategy "$pool,c-pagemap-guided,c-memset-keep-resident" "${measure[@]}"
bench m3-scattered   --slot-bytes 64MiB  --pool.memory-keep-resident 16MiB --dirty-pages 64   --spread-bytes 16MiB \
  --strategy "$pool,c-pagemap-guided,c-memset-keep-resident" "${measure[@]}"
bench m4-small-slot  --slot-bytes 1MiB   --pool.memory-keep-resident 1MiB  --dirty-pages 16   --spread-bytes 1MiB \
  --strategy "$pool,c-pagemap-guided,c-memset-keep-resident" "${measure[@]}"
bench m5-over-budget --slot-bytes 64MiB  --pool.memory-keep-resident 1MiB  --dirty-pages 1024 --spread-bytes 16MiB \
  --strategy "$pool,c-pagemap-guided,c-memset-keep-resident" "${measure[@]}"
bench m6-fragmented  --slot-bytes 64MiB  --pool.memory-keep-resident 4MiB  --dirty-pages 1    --spread-bytes 4MiB \
  --strategy "$pool,c-pagemap-guided,c-memset-keep-resident" "${measure[@]}"

# Issue 17: one dirty page a cycle in a 4 MiB window of a 64 MiB slot, the whole cycle (writes and their
# faults, then the reset): written-tracked against the best of the others, auto against the best fixed;
# and the same two in C, what the kernel charges each on this machine.
bench t6-tracking    --slot-bytes 64MiB  --pool.memory-keep-resident 4MiB  --dirty-pages 1    --spread-bytes 4MiB \
  --strategy "$pool,c-madvise-all,c-written-tracked" "${measure[@]}"

# Target 4: a whole cycle against allocateDirect (and mmap/munmap) for a 64 MiB memory, 256 KiB working set.
bench t4-alternatives --slot-bytes 64MiB --pool.memory-keep-resident 1MiB --dirty-pages 64 --spread-bytes 256KiB \
  --strategy "$pool,allocate-direct,mmap-munmap" "${measure[@]}"

# Target 5: reset cost follows the dirty pages, not the reservation: 64 MiB and 4 GiB maximum.
bench t5-reservation --slot-bytes 64MiB --pool.memory-max 64MiB,4GiB --pool.memory-keep-resident 1MiB --dirty-pages 64 \
  --spread-bytes 256KiB --strategy pagemap-guided,auto "${measure[@]}"

# Memory images (issue 13): a 16 MiB image, 64 dirty pages in a 256 KiB hot set, the whole slot kept
# resident (what a host copying the image in keeps to avoid refaulting it); then a small image, where
# remapping the slot (image-change) and copying it in (image-copy) meet; then the default budget.
bench img-16mib --image-bytes 16MiB --slot-bytes 16MiB --pool.memory-keep-resident 16MiB --dirty-pages 64 \
  --spread-bytes 256KiB --iterations 200 --warmup 40 --warmup-seconds 1 --time-limit 20
bench img-16mib-keep-1mib --image-bytes 16MiB --slot-bytes 16MiB --pool.memory-keep-resident 1MiB --dirty-pages 64 \
  --spread-bytes 256KiB --iterations 200 --warmup 40 --warmup-seconds 1 --time-limit 20
bench img-64kib --image-bytes 64KiB --slot-bytes 1MiB --pool.memory-keep-resident 1MiB --dirty-pages 8 \
  --spread-bytes 64KiB "${measure[@]}"

# The plot: median reset against dirty pages, one line per contender.
bench plot-dirty-pages --slot-bytes 64MiB --pool.memory-keep-resident 4MiB --dirty-pages 1,16,64,256,1024 \
  --spread-bytes 4MiB --strategy "$pool,c-pagemap-guided,c-memset-keep-resident" \
  --iterations 500 --warmup 500 --warmup-seconds 1 --time-limit 2 --plot "$out/reset-vs-dirty-pages.svg"

# tune's prediction for t1's profile, beside t1's measured pagemap-guided reset.
echo "== tune: ./warmpool tune --profile $out/t1-hot-set.prom --rss-budget 64MiB"
./warmpool tune --profile "$out/t1-hot-set.prom" --rss-budget 64MiB --plot "$out/tune-t1.svg" | tee "$out/tune-t1.txt"
# ... and the setting tune recommends there, measured.
bench t1-recommended --slot-bytes 256MiB --pool.memory-keep-resident 128KiB --dirty-pages 64 --spread-bytes 128KiB \
  --strategy memset-keep-resident,auto "${measure[@]}"

# WebAssembly guests (BENCHMARKS.md, "WebAssembly guests"): instantiate + call + release of the bundled
# guests on each memory this build runs, interpreter and compiler; the idle footprint of 16 warm instances.
guest() { # name, then bench flags
  local name=$1; shift
  echo "== $name: ./warmpool bench $*"
  WARMPOOL_JAVA_OPTS="-Xmx512m ${WARMPOOL_JAVA_OPTS:-}" ./warmpool bench "$@" | tee "$out/$name.txt"
}
guest wasm-lookup-table --module lookup-table --args n,256 --engine interpreter,compiler \
  --iterations 300 --warmup 50 --warmup-seconds 2 --time-limit 10 --idle-instances 16
guest wasm-request-handler --module request-handler --engine interpreter,compiler \
  --iterations 1000 --warmup 200 --warmup-seconds 2 --time-limit 10 --idle-instances 16
guest wasm-scattered-pages --module scattered-pages --args n,64 --engine compiler \
  --iterations 1000 --warmup 200 --warmup-seconds 2 --time-limit 10 --idle-instances 16

if ((jmh)); then
  echo "== JMH (short settings: 1 fork, 1 x 1 s warmup, 3 x 1 s measurement)"
  mvn -B -q -Pjmh -DskipTests -pl benchmarks -am package \
    -Djmh.args="-f 1 -wi 1 -w 1s -i 3 -r 1s -rf json -rff $PWD/$out/jmh.json" | tee "$out/jmh.txt"
  # Issue 5: what the metrics cost a release, as a ratio (under 1.05 on the typical small reset).
  echo "== metrics overhead: release with PoolMetrics / with PoolListener.NONE (MetricsOverheadBenchmark)"
  awk -F'"' '$2 == "benchmark" { bench = $4; listener = ""; reset = "" }
       $2 == "listener" { listener = $4 }
       $2 == "reset" { reset = $4 }
       $2 == "score" && bench ~ /MetricsOverheadBenchmark[.]release$/ {
         value = $3; gsub(/[ :,]/, "", value); score[listener " " reset] = value; resets[reset] = 1 }
       END { for (r in resets) if (score["none " r] > 0)
               printf "  %-12s %8.0f ns -> %8.0f ns  ratio %.3f\n", r, score["none " r], score["metrics " r],
                      score["metrics " r] / score["none " r] }' "$out/jmh.json" | tee "$out/metrics-overhead.txt"
fi
echo "== done: results in $out/"
