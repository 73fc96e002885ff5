package io.warmpool.fork.testing;

import io.warmpool.natives.Fcntl;
import io.warmpool.natives.Syscalls;
import io.warmpool.natives.WaitStatus;

import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * Forks the test JVM, runs a body in the child and reports through the child's exit status.
 *
 * <p>In a forked JVM only the forking thread exists: no GC, JIT or VM thread. The body must do little,
 * allocate little, and load no new classes (touch them in the parent first); it must not print (the
 * test runner's channel would be corrupted). The child never returns into the test framework: it
 * {@code _exit}s with the body's status, {@link #THREW} if the body threw. The parent polls
 * {@code waitpid(WNOHANG)} until the deadline, then kills and reaps a child that overran it.
 */
public final class ForkedChild {
    /** The child's exit status when its body threw. */
    public static final int THREW = 99;

    private ForkedChild() {
    }

    /**
     * How the child ended.
     *
     * @param status what waitpid reported
     * @param killed whether the parent killed it at the deadline
     */
    public record Result(WaitStatus status, boolean killed) {
        /** Whether it exited on its own with {@code code}. */
        public boolean exitedWith(int code) {
            return !killed && status.exited() && status.exitCode() == code;
        }

        @Override
        public String toString() {
            return killed ? "killed at the deadline (" + status + ")" : status.toString();
        }
    }

    /** Forks, runs {@code body} in the child, and waits at most {@code deadline} for it. */
    public static Result run(Syscalls os, IntSupplier body, Duration deadline) {
        return await(os, start(os, body), deadline);
    }

    /** Forks and runs {@code body} in the child; returns the child's pid in the parent. */
    public static int start(Syscalls os, IntSupplier body) {
        int pid = os.fork();
        if (pid == 0) {
            int code;
            try {
                code = body.getAsInt();
            } catch (Throwable t) {
                code = THREW;
            }
            os.exit(code);
        }
        return pid;
    }

    /** Waits for a child at most {@code deadline}; kills and reaps it past the deadline. */
    public static Result await(Syscalls os, int pid, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            WaitStatus status = os.waitpid(pid, Fcntl.WNOHANG);
            if (status.pid() == pid) {
                return new Result(status, false);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        os.kill(pid, Fcntl.SIGKILL);
        return new Result(os.waitpid(pid, 0), true);
    }
}
