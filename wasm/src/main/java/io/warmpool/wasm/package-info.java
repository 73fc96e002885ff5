/**
 * WebAssembly guests on pooled memory: load a module once with {@link io.warmpool.wasm.WasmHost},
 * then every call of a {@link io.warmpool.wasm.GuestModule} runs a fresh Chicory instance whose
 * linear memory is a pool slot, released (and reset) when the call returns.
 *
 * <h2>The rooms of wasm</h2>
 * <pre>
 *  io.warmpool.wasm          the API: the host, modules, one call's instance, engine choice
 *    ├── .memory             the pooled linear memory (Chicory's Memory over a MemorySlot)
 *    └── .wast               the spec-test runner behind {@code warmpool wast}
 *
 *  imports run one way:  wast → wasm → memory
 * </pre>
 * This is the only module that imports Chicory ({@code com.dylibso.chicory}); the pool knows nothing
 * of WebAssembly.
 */
package io.warmpool.wasm;
