/**
 * The WebAssembly guests bundled with warmpool: written in the text format ({@code src/main/wat}),
 * assembled by {@code wat2wasm} during the build into resources of this package, and named here by
 * {@link io.warmpool.guests.Guest}. {@code warmpool serve} runs the request handler by default, and
 * {@code warmpool bench --module} measures any of them. Nothing here depends on a WebAssembly runtime.
 */
package io.warmpool.guests;
