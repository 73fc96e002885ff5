/**
 * JMH benchmarks of the pool's pieces: the scan, each reset strategy and the pieces of the smallest
 * reset (each hot call through JNI and through JNA), written-page tracking (scans, ways of protecting
 * again, whole cycles), acquire plus release (one and two threads), and what the tenant profile and
 * the metrics add to a release. They live in a source root of their own ({@code src/jmh/java}) in a module nothing
 * depends on, so they are compiled by every build and never shipped. Run them with
 * {@code mvn -B -q -Pjmh -DskipTests -pl benchmarks -am package} ({@code benchmarks/run-benchmarks.sh}
 * does, with short settings). They time the pool's internal pieces too, the one exception to the
 * rule of {@link io.warmpool.pool}.
 */
package io.warmpool.benchmarks;
