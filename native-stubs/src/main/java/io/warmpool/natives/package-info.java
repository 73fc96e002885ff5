/**
 * Every native call of warmpool, in one place: the system calls behind {@link
 * io.warmpool.natives.Syscalls} (the real one, and the fault-injecting double of this module's test
 * jar), the binding of the reset's hot calls (JNI to warmpool's C library, JNA where it cannot load:
 * {@link io.warmpool.natives.HotCalls}), native memory ({@link io.warmpool.natives.NativeMemory}),
 * the kernel's features ({@link io.warmpool.natives.KernelFeatures}), the constants and struct layouts
 * of its headers, and the C library's atfork handlers ({@link io.warmpool.natives.ForkHandlers}). A
 * failure is a {@link io.warmpool.natives.NativeCallException} naming the call, its arguments and the
 * errno. No other module imports JNA or jnr.
 */
package io.warmpool.natives;
