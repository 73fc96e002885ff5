package io.warmpool.fork;

import io.warmpool.natives.Syscalls;

/**
 * How many times this process's line has forked: 0 in the process that loaded warmpool, bumped by
 * the atfork child handler in every child. Reading it is a load, not a system call, so the pool and
 * the scanner check it on every reset.
 *
 * <p>SKELETON: the atfork handlers are not installed yet; {@link #current()} stays 0.
 */
public final class ForkGeneration {
    private static final int PID = Syscalls.linux().getpid();

    private ForkGeneration() {
    }

    /** The fork generation of the running process. */
    public static long current() {
        return 0;
    }

    /** The pid the handlers recorded for the running process (no system call). */
    public static int pid() {
        return PID;
    }
}
