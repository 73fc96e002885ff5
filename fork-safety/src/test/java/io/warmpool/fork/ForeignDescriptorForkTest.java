package io.warmpool.fork;

import io.warmpool.fork.testing.ForkedChild;
import io.warmpool.natives.Errno;
import io.warmpool.natives.Fcntl;
import io.warmpool.natives.ForkHandlers;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import io.warmpool.natives.WaitStatus;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForeignDescriptorForkTest {
    private static final Syscalls OS = Syscalls.linux();
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    void descriptorThatCannotBeReopenedFailsLoudlyInAChild() {
        int uffd = OS.userfaultfd(Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK | 1);
        try (PidCheckedFd fd = PidCheckedFd.adopt(OS, uffd, "userfaultfd")) {
            assertEquals(uffd, fd.fd());
            assertFalse(fd.reopenable());
            new ForeignDescriptorException("warm up the class").getMessage();
            ForkedChild.Result result = ForkedChild.run(OS, () -> {
                try {
                    fd.fd();
                    return 1;
                } catch (ForeignDescriptorException expected) {
                    return expected.getMessage().contains("cannot be reopened") ? 0 : 2;
                }
            }, DEADLINE);
            assertTrue(result.exitedWith(0), result.toString());
            assertEquals(uffd, fd.fd(), "still fine in the parent");
        }
    }

    @Test
    void failedReopenPointsTheNumberAtDevNullAndSaysWhy() throws Exception {
        Path file = Files.createTempFile("warmpool-fork", ".bin");
        Files.writeString(file, "parent data");
        PidCheckedFd fd = PidCheckedFd.open(OS, file.toString(), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC);
        int number = fd.fd();
        Files.delete(file); // the child handler cannot open it again
        long before = ForkHandlers.reopenFailures();
        try {
            ForkedChild.Result result = ForkedChild.run(OS, () -> {
                if (ForkHandlers.reopenFailures() != before + 1) {
                    return 1;
                }
                try {
                    fd.fd();
                    return 2;
                } catch (ForeignDescriptorException expected) {
                    if (!expected.getMessage().contains("ENOENT") || !expected.getMessage().contains("/dev/null")) {
                        return 3;
                    }
                }
                try {
                    return Files.readSymbolicLink(Path.of("/proc/self/fd/" + number)).toString().equals("/dev/null") ? 0 : 4;
                } catch (Exception e) {
                    return 5;
                }
            }, DEADLINE);
            assertTrue(result.exitedWith(0), result.toString());
            assertEquals(number, fd.fd(), "the parent keeps its descriptor of the deleted file");
        } finally {
            fd.close();
        }
    }

    @Test
    void debugPidCheckCatchesAForkThatBypassedTheHandlers() {
        Path pagemapPath = Path.of("/proc/self/pagemap");
        long page = OS.pageSize();
        long mapping = OS.mmap(0, page, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        long entry = NativeMemory.allocate(8);
        PidCheckedFd pagemap = PidCheckedFd.open(OS, pagemapPath.toString(), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC);
        PidCheckedFd.checkPid(true);
        try {
            int number = pagemap.fd();
            long generation = ForkGeneration.current();
            OS.pread(number, entry, 8, (mapping / page) * 8);
            int pid = ForkHandlers.forkWithoutHandlers();
            if (pid == 0) {
                NativeMemory.putByte(mapping, (byte) 1);
                int code;
                if (ForkGeneration.current() != generation) {
                    code = 1; // the handlers must not have run
                } else if (pagemap.fd() != number) {
                    code = 2;
                } else {
                    OS.pread(number, entry, 8, (mapping / page) * 8);
                    code = (NativeMemory.getLong(entry) & (1L << 63)) != 0 ? 0 : 3;
                }
                OS.exit(code);
            }
            ForkedChild.Result result = ForkedChild.await(OS, pid, DEADLINE);
            assertTrue(result.exitedWith(0), result.toString());
        } finally {
            PidCheckedFd.checkPid(Boolean.getBoolean("warmpool.fork.checkPid"));
            pagemap.close();
            NativeMemory.free(entry);
            OS.munmap(mapping, page);
        }
    }

    @Test
    void childReportsThroughItsStatusAndAnOverrunningChildIsKilled() {
        ForkedChild.Result ok = ForkedChild.run(OS, () -> 17, DEADLINE);
        assertTrue(ok.exitedWith(17), ok.toString());
        ForkedChild.Result threw = ForkedChild.run(OS, () -> {
            throw new IllegalStateException("boom");
        }, DEADLINE);
        assertTrue(threw.exitedWith(ForkedChild.THREW), threw.toString());
        ForkedChild.Result stuck = ForkedChild.run(OS, () -> {
            while (true) {
                Thread.onSpinWait();
            }
        }, Duration.ofMillis(200));
        assertTrue(stuck.killed(), stuck.toString());
        WaitStatus status = stuck.status();
        assertTrue(status.signaled() && status.terminationSignal() == Fcntl.SIGKILL, status.toString());
    }
}
