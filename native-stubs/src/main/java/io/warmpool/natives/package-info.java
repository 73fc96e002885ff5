/**
 * Every native call of warmpool, in one place: the system calls behind {@link
 * io.warmpool.natives.Syscalls}, native memory ({@link io.warmpool.natives.NativeMemory}), the
 * kernel's features ({@link io.warmpool.natives.KernelFeatures}) and the C library's atfork handlers
 * ({@link io.warmpool.natives.ForkHandlers}). A failure is a {@link io.warmpool.natives.NativeCallException}
 * naming the call, its arguments and the errno. No other module imports JNA or jnr.
 */
package io.warmpool.natives;
