/**
 * JMH benchmarks of the pool's pieces: the scan, each reset strategy, the pieces of the smallest reset
 * through JNI and through JNA, written-page tracking (scans, reprotects, whole cycles), acquire plus
 * release (one and two threads), and what the metrics add to a release. Run them with
 * {@code mvn -B -q -Pjmh -DskipTests -pl benchmarks -am package} (benchmarks/run-benchmarks.sh
 * does, with short settings). The benchmarks that need the pool's package-private methods (the
 * tenant profile's and the metrics listener's cost per record) are in {@code io.warmpool.pool}.
 */
package io.warmpool.bench.jmh;
