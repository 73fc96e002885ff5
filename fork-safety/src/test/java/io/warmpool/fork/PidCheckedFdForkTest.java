package io.warmpool.fork;

import io.warmpool.fork.testing.ForkedChild;
import io.warmpool.natives.Fcntl;
import io.warmpool.natives.ForkHandlers;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pagemap descriptor opened before fork() must describe the child in the child. Each child
 * reports the first check that failed as its exit status (0: all held).
 */
class PidCheckedFdForkTest {
    private static final Syscalls OS = Syscalls.linux();
    private static final long PAGE = OS.pageSize();
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final long PM_PRESENT = 1L << 63;

    private final PidCheckedFd pagemap = PidCheckedFd.open(OS, "/proc/self/pagemap", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC);
    private final long entry = NativeMemory.allocate(8);
    private final long page = OS.mmap(0, PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);

    @AfterEach
    void cleanUp() {
        pagemap.close();
        NativeMemory.free(entry);
        OS.munmap(page, PAGE);
    }

    /** Whether the pagemap behind {@code fd} says the page is resident. */
    private boolean present(int fd) {
        if (OS.pread(fd, entry, 8, (page / PAGE) * 8) != 8) {
            return false;
        }
        return (NativeMemory.getLong(entry) & PM_PRESENT) != 0;
    }

    @Test
    void pagemapDescriptorInAChildKeepsItsNumberAndCloseOnExecAndDescribesTheChild() {
        int inherited = OS.open("/proc/self/pagemap", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        long parentGeneration = ForkGeneration.current();
        int number = pagemap.fd();
        present(number); // load the code paths the child uses
        try {
            ForkedChild.Result result = ForkedChild.run(OS, () -> {
                NativeMemory.putByte(page, (byte) 1); // the parent never touched this page
                if (pagemap.fd() != number) {
                    return 1;
                }
                if ((OS.fcntl(number, Fcntl.F_GETFD, 0) & Fcntl.FD_CLOEXEC) == 0) {
                    return 2;
                }
                if (!present(number)) {
                    return 3; // the reopened descriptor must see the child's own write
                }
                // The control: a descriptor the handlers did not reopen still describes the parent,
                // where the page was never touched. A reset that scanned with it would miss the
                // child's dirty page and hand it to the next tenant unzeroed.
                if (present(inherited)) {
                    return 4;
                }
                if (ForkGeneration.current() != parentGeneration + 1) {
                    return 5;
                }
                return ForkGeneration.pid() == OS.getpid() ? 0 : 6;
            }, DEADLINE);
            assertTrue(result.exitedWith(0), result.toString());
            assertEquals(parentGeneration, ForkGeneration.current(), "the parent's generation is unchanged");
            assertEquals(OS.getpid(), ForkGeneration.pid());
            assertTrue(!present(number), "the parent's page is still untouched in the parent");
        } finally {
            OS.close(inherited);
        }
    }

    @Test
    void aThousandRegisteredDescriptorsAreAllReopenedOnTheChildInTheChild() {
        // Far past the registry's static 64 entries: the registering side grew it (mmap), the child
        // handler walked it without allocating.
        List<PidCheckedFd> many = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                many.add(PidCheckedFd.open(OS, "/proc/self/pagemap", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC));
            }
            // Forget a few in the middle: the table stays packed, and the child must not reopen them.
            int[] forgotten = new int[10];
            for (int i = 0; i < forgotten.length; i++) {
                PidCheckedFd gone = many.remove(100 * i);
                forgotten[i] = gone.fd();
                gone.close();
            }
            int[] numbers = many.stream().mapToInt(PidCheckedFd::fd).toArray();
            assertTrue(ForkHandlers.registered() >= numbers.length + 1, "registered " + ForkHandlers.registered());
            long parentReopened = ForkHandlers.reopened();
            long parentFailures = ForkHandlers.reopenFailures();
            long parentGeneration = ForkGeneration.current();
            present(numbers[0]); // load the code paths the child uses
            ForkHandlers.reopenErrno(numbers[0]);
            ForkedChild.Result result = ForkedChild.run(OS, () -> {
                NativeMemory.putByte(page, (byte) 1); // the parent never touched this page
                if (ForkGeneration.current() != parentGeneration + 1) {
                    return 1;
                }
                if (ForkHandlers.reopenFailures() != parentFailures) {
                    return 2;
                }
                if (ForkHandlers.reopened() - parentReopened != ForkHandlers.registered()) {
                    return 3; // every registered descriptor, and nothing else
                }
                for (int number : numbers) {
                    if (ForkHandlers.reopenErrno(number) != 0 || !present(number)) {
                        return 4; // each one describes the child, where the page is written
                    }
                }
                for (int number : forgotten) {
                    if (ForkHandlers.reopenErrno(number) != -1) {
                        return 5;
                    }
                }
                return 0;
            }, DEADLINE);
            assertTrue(result.exitedWith(0), result.toString());
            assertTrue(!present(numbers[numbers.length - 1]), "the parent's descriptors still describe the parent");
        } finally {
            many.forEach(PidCheckedFd::close);
        }
    }

    @Test
    void hundredSequentialForksEachSeeTheirOwnGenerationAndPid() {
        long parentGeneration = ForkGeneration.current();
        long parentReopened = ForkHandlers.reopened();
        long parentFailures = ForkHandlers.reopenFailures();
        int number = pagemap.fd();
        for (int i = 0; i < 100; i++) {
            ForkedChild.Result result = ForkedChild.run(OS, () -> {
                NativeMemory.putByte(page, (byte) 1);
                if (ForkGeneration.current() != parentGeneration + 1) {
                    return 1;
                }
                if (ForkGeneration.pid() != OS.getpid()) {
                    return 2;
                }
                if (ForkHandlers.reopened() <= parentReopened || ForkHandlers.reopenFailures() != parentFailures) {
                    return 4; // this child's handler reopened the registered pagemap, and failed at nothing
                }
                return pagemap.fd() == number && present(number) ? 0 : 3;
            }, DEADLINE);
            assertTrue(result.exitedWith(0), "fork " + i + ": " + result);
        }
        assertEquals(parentGeneration, ForkGeneration.current());
        assertEquals(parentReopened, ForkHandlers.reopened(), "the children's reopens are theirs, not the parent's");
    }

    @Test
    void grandchildSeesGenerationTwoAndItsOwnPagemap() {
        long parentGeneration = ForkGeneration.current();
        int number = pagemap.fd();
        // Made here, not in the child: a lambda first made in a forked child defines a hidden class
        // there, under a VM lock that a thread of the parent may have held at the fork.
        IntSupplier grandchildBody = () -> {
            NativeMemory.putByte(page, (byte) 1);
            if (ForkGeneration.current() != parentGeneration + 2) {
                return 11;
            }
            if (ForkGeneration.pid() != OS.getpid()) {
                return 12;
            }
            return pagemap.fd() == number && present(number) ? 0 : 13;
        };
        ForkedChild.Result result = ForkedChild.run(OS, () -> {
            ForkedChild.Result grandchild = ForkedChild.run(OS, grandchildBody, DEADLINE);
            if (grandchild.killed() || !grandchild.status().exited()) {
                return 20;
            }
            if (grandchild.status().exitCode() != 0) {
                return grandchild.status().exitCode();
            }
            // The child itself never wrote the page: its own pagemap must say so.
            return ForkGeneration.current() == parentGeneration + 1 && !present(pagemap.fd()) ? 0 : 21;
        }, DEADLINE);
        assertTrue(result.exitedWith(0), result.toString());
    }

    @Test
    void processBuilderLaunchesInheritNothingAndLeaveTheParentAlone() throws Exception {
        long generation = ForkGeneration.current();
        int number = pagemap.fd();
        Process p = new ProcessBuilder("/bin/sh", "-c", "ls -l /proc/self/fd; exit 7").redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes());
        assertEquals(7, p.waitFor());
        assertTrue(!listing.contains("pagemap"), "close-on-exec kept the pagemap descriptor out:\n" + listing);
        assertEquals(generation, ForkGeneration.current());
        assertEquals(number, pagemap.fd());
        NativeMemory.putByte(page, (byte) 1);
        assertTrue(present(number), "the parent's descriptor still describes the parent");
    }
}
