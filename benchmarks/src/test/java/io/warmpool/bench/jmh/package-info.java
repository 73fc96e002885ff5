/**
 * JMH benchmarks of the pool's pieces: the scan, each reset strategy, acquire plus release (one and
 * two threads). Run them with {@code mvn -B -q -Pjmh -DskipTests -pl benchmarks -am package}
 * (benchmarks/run-benchmarks.sh does, with short settings). A benchmark of the metrics overhead
 * belongs here once the metrics module exists (issue 6 asks for it).
 */
package io.warmpool.bench.jmh;
