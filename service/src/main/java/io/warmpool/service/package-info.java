/**
 * The {@code warmpool} command: {@code probe}, {@code serve}, {@code health}, {@code bench} and
 * {@code tune}; their configuration keys (one name from flag to environment variable to file),
 * the synthetic tenants of {@code serve}, its JMX controls, and what the build says it is
 * ({@code --version}, {@code warmpool_build_info}). Logging is in {@code io.warmpool.service.logging}.
 */
package io.warmpool.service;
