package io.warmpool.fork;

import io.warmpool.natives.ForkHandlers;

/**
 * How many times this process's line has forked: 0 in the process that loaded warmpool, one more in
 * each child than in its parent. The atfork child handler (C, in native-stubs) bumps it after it has
 * reopened every registered descriptor; reading it is one volatile load from that library's memory,
 * so the pool and the scanner check it on every reset.
 *
 * <p>Covered: {@code fork()} and anything that forks through glibc. Not covered: {@code vfork}
 * without exec, raw {@code clone}, {@code syscall(SYS_fork)}: their children keep the parent's
 * generation and pid. {@link PidCheckedFd}'s debug switch ({@code -Dwarmpool.fork.checkPid=true})
 * catches those at the cost of a {@code getpid} per use. Children that {@code exec} (such as
 * {@code ProcessBuilder} launches) start a new image and inherit nothing of warmpool's.
 */
public final class ForkGeneration {
    static {
        ForkHandlers.install();
    }

    private ForkGeneration() {
    }

    /** The fork generation of the running process. */
    public static long current() {
        return ForkHandlers.generation();
    }

    /** The pid the handlers recorded for the running process, read without a system call. */
    public static int pid() {
        return ForkHandlers.pid();
    }
}
