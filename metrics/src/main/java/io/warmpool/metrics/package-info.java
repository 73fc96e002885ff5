/**
 * The pool's metrics: Micrometer meters fed by its events ({@link io.warmpool.metrics.PoolMetrics}),
 * the tenant profile's families and their Prometheus text form ({@link io.warmpool.metrics.ProfileExposition}),
 * and the HTTP endpoint that serves them ({@link io.warmpool.metrics.MetricsServer}).
 */
package io.warmpool.metrics;
