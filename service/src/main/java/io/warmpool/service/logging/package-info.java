/**
 * Where warmpool's log lines go and how they look: SLF4J with Logback behind it, configured by
 * the keys {@code log.level} and {@code log.format} like every other setting, as text for people or
 * one JSON object a line for log shippers. {@code System.Logger} (pagemap-scan, the JDK) and
 * {@code java.util.logging} (JNA) reach the same backend through SLF4J's bridges.
 */
package io.warmpool.service.logging;
