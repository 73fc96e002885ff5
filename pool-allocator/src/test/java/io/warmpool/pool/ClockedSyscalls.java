package io.warmpool.pool;

import io.warmpool.natives.Syscalls;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real system calls, with a monotonic clock that a test moves by hand ({@link Syscalls#nanoTime}),
 * so that what the pool does over time is tested without waiting and without depending on how fast
 * the machine is.
 */
final class ClockedSyscalls {
    private ClockedSyscalls() {
    }

    /** {@link Syscalls#linux()}, whose {@code nanoTime()} reads {@code clock}. */
    static Syscalls over(AtomicLong clock) {
        Syscalls real = Syscalls.linux();
        return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("nanoTime")) {
                        return clock.get();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
