/**
 * The WebAssembly spec-test runner behind {@code warmpool wast}: {@link io.warmpool.wasm.wast.WastRunner}
 * converts a {@code .wast} script with {@code wast2json} and runs its modules, actions and assertions
 * against Chicory, with Chicory's own memory or pooled ones ({@link io.warmpool.wasm.wast.WastMemory}),
 * recording one outcome per command ({@link io.warmpool.wasm.wast.WastResult}).
 */
package io.warmpool.wasm.wast;
