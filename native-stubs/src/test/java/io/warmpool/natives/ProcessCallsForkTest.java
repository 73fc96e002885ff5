package io.warmpool.natives;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fork, _exit, waitpid and kill from the JVM, as the fork tests of other modules use them. */
class ProcessCallsForkTest {
    private final Syscalls os = Syscalls.linux();

    @Test
    void forkedChildReportsThroughItsExitStatus() {
        int parent = os.getpid();
        int pid = os.fork();
        if (pid == 0) {
            os.exit(os.getpid() != parent ? 42 : 1);
        }
        WaitStatus status = os.waitpid(pid, 0);
        assertTrue(status.exited(), status.toString());
        assertEquals(42, status.exitCode());
    }

    @Test
    void killedChildReportsTheSignal() {
        int pid = os.fork();
        if (pid == 0) {
            while (true) {
                Thread.onSpinWait();
            }
        }
        os.kill(pid, Fcntl.SIGKILL);
        WaitStatus status = os.waitpid(pid, 0);
        assertTrue(status.signaled(), status.toString());
        assertEquals(Fcntl.SIGKILL, status.terminationSignal());
    }
}
