/**
 * The {@code warmpool} command ({@link io.warmpool.service.Main}): {@code probe}, {@code serve},
 * {@code bench}, {@code tune} and {@code health}, their configuration (one name per setting, from
 * the flag to the environment variable), the synthetic workload, and the JMX control of a running pool.
 */
package io.warmpool.service;
