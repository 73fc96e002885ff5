/**
 * Every native call of warmpool, and nothing else: {@link io.warmpool.natives.Syscalls} (the real
 * one, and the fault-injecting double of this module's test jar), the JNI binding of the reset's hot
 * calls with JNA as its fallback ({@link io.warmpool.natives.HotCalls}), the C fork handlers
 * ({@link io.warmpool.natives.ForkHandlers}), access to native memory by address
 * ({@link io.warmpool.natives.NativeMemory}), the constants and struct layouts of the kernel's headers,
 * and the exceptions that name a failed call, its arguments and its errno. No other module imports
 * JNA or jnr.
 */
package io.warmpool.natives;
