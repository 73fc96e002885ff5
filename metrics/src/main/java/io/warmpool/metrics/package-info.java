/**
 * The pool seen from outside: Micrometer meters fed by the pool's event SPI ({@link
 * io.warmpool.metrics.PoolMetrics}), the tenant profile's families and their Prometheus text form
 * ({@link io.warmpool.metrics.ProfileExposition}), and the HTTP server that exposes them to
 * Prometheus beside the liveness and readiness checks ({@link io.warmpool.metrics.MetricsServer}).
 * Nothing here is on the reset path but the listener's counter updates.
 */
package io.warmpool.metrics;
