/**
 * What {@code warmpool bench --module} measures: a WebAssembly guest's whole request (instantiate,
 * call, release) on each way of giving it memory (Chicory's own, a pooled slot without a memory
 * image, a pooled slot with one), timed by phase, and the resident memory of idle warm instances of
 * each. The contenders come from the wasm module's host through {@link
 * io.warmpool.bench.guest.GuestContender}; nothing here depends on a WebAssembly runtime.
 */
package io.warmpool.bench.guest;
