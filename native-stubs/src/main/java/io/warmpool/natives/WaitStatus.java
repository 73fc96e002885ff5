package io.warmpool.natives;

/**
 * What {@code waitpid} reported of a child: its pid (0 when {@code WNOHANG} found it still running)
 * and the raw status word, decoded as {@code <sys/wait.h>} does.
 *
 * @param pid    the child that changed state, or 0
 * @param status the raw status word
 */
public record WaitStatus(int pid, int status) {

    /** Whether the child ran {@code exit} or {@code _exit}. */
    public boolean exited() {
        return pid != 0 && (status & 0x7f) == 0;
    }

    /** The exit status, when {@link #exited()}. */
    public int exitCode() {
        return (status >> 8) & 0xff;
    }

    /** Whether a signal ended the child. */
    public boolean signaled() {
        int low = status & 0x7f;
        return pid != 0 && low != 0 && low != 0x7f;
    }

    /** The signal that ended the child, when {@link #signaled()}. */
    public int terminationSignal() {
        return status & 0x7f;
    }

    @Override
    public String toString() {
        if (pid == 0) {
            return "still running";
        }
        if (exited()) {
            return "pid " + pid + " exited with status " + exitCode();
        }
        if (signaled()) {
            return "pid " + pid + " killed by signal " + terminationSignal();
        }
        return "pid " + pid + " status 0x" + Integer.toHexString(status);
    }
}
