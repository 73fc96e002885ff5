/**
 * The pool seen from outside: Micrometer meters fed by the pool's event SPI, and the HTTP server
 * that exposes them to Prometheus beside the liveness and readiness checks. Nothing here is on the
 * reset path but the listener's counter updates.
 */
package io.warmpool.metrics;
