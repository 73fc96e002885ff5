/**
 * Test helpers that other modules' tests use too (published in wasm's test jar): assembling guests
 * from the WebAssembly text format.
 */
package io.warmpool.wasm.testing;
