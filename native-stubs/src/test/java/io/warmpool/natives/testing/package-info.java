/**
 * What other modules' tests use to drive the native layer's error paths: the fault-injecting double of
 * {@link io.warmpool.natives.Syscalls}. Published in native-stubs' test jar, never in the product.
 */
package io.warmpool.natives.testing;
