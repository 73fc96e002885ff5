/**
 * What {@code warmpool bench} and {@code warmpool tune} measure with: contenders that run a whole
 * tenant cycle (the pool under each reset strategy, a C reference built by gcc, {@code allocateDirect},
 * {@code mmap}/{@code munmap}), the workloads they run, and the statistics of their samples
 * (medians, ratios measured in one run). A library of the service, not a test module.
 */
package io.warmpool.bench;
