package io.warmpool.natives.testing;

import io.warmpool.natives.Call;
import io.warmpool.natives.Errno;
import io.warmpool.natives.Fcntl;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultInjectingSyscallsTest {
    private final FaultInjectingSyscalls faults = new FaultInjectingSyscalls(Syscalls.linux());
    private final long page = faults.pageSize();

    @Test
    void nthInvocationFailsOnceWithTheRealMessageAndTheOthersReachTheKernel() {
        long base = faults.mmap(0, page, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try {
            faults.failNth(Call.MADVISE, 2, Errno.ENOMEM);
            assertTrue(faults.hasPendingFailure());
            assertDoesNotThrow(() -> faults.madvise(base, page, Mman.MADV_DONTNEED));
            NativeCallException e = assertThrows(NativeCallException.class,
                    () -> faults.madvise(base, page, Mman.MADV_DONTNEED));
            assertEquals("madvise(address=0x" + Long.toHexString(base) + ", length=0x" + Long.toHexString(page)
                    + ", advice=MADV_DONTNEED) failed: errno 12 ENOMEM (Out of memory)", e.getMessage());
            assertDoesNotThrow(() -> faults.madvise(base, page, Mman.MADV_DONTNEED));
            assertFalse(faults.hasPendingFailure());
            assertEquals(3, faults.invocations(Call.MADVISE));
            assertEquals(1, faults.injectedFailures(Call.MADVISE));
        } finally {
            faults.munmap(base, page);
        }
    }

    @Test
    void failAlwaysHoldsUntilCleared() {
        faults.failAlways(Call.OPEN, Errno.EMFILE);
        for (int i = 0; i < 3; i++) {
            assertTrue(assertThrows(NativeCallException.class,
                    () -> faults.open("/dev/null", Fcntl.O_RDONLY, 0)).is(Errno.EMFILE));
        }
        faults.clear();
        faults.close(faults.open("/dev/null", Fcntl.O_RDONLY, 0));
    }

    @Test
    void truncatedPreadReadsNoMoreThanTheLimit() {
        int fd = faults.open("/proc/self/pagemap", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        long buffer = NativeMemory.allocate(64);
        try {
            faults.truncate(Call.PREAD, 8);
            assertEquals(8, faults.pread(fd, buffer, 64, 0));
        } finally {
            NativeMemory.free(buffer);
            faults.close(fd);
        }
    }

    @Test
    void truncationOfAPagemapScanCutsTheVectorAndRestoresTheCallersLength() {
        int fd = faults.open("/proc/self/pagemap", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        long pages = 8;
        long base = faults.mmap(0, pages * page, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        long arg = NativeMemory.allocate(96);
        long vec = NativeMemory.allocate(24 * 16);
        try {
            for (long p = 0; p < pages; p += 2) {
                NativeMemory.putByte(base + p * page, (byte) 1);
            }
            long[] fields = {96, 0, base, base + pages * page, 0, vec, 16, 0, 0, 0, 0x18, 0x18};
            for (int i = 0; i < fields.length; i++) {
                NativeMemory.putLong(arg + 8L * i, fields[i]);
            }
            faults.truncate(Call.IOCTL, 1);
            assertEquals(1, faults.ioctl(fd, 0xC0606610L, arg));
            assertEquals(16, NativeMemory.getLong(arg + 48), "vec_len restored");
            // A full vector stops the walk at the first page that did not fit (page 2), where a resumed
            // scan must start: not at the end of the last region written (page 1).
            assertEquals(base + 2 * page, NativeMemory.getLong(arg + 32), "walk_end at the first unreported page");
        } finally {
            NativeMemory.free(arg);
            NativeMemory.free(vec);
            faults.munmap(base, pages * page);
            faults.close(fd);
        }
    }

    @Test
    void onlyCallsWithResultsCanBeTruncated() {
        assertThrows(IllegalArgumentException.class, () -> faults.truncate(Call.MADVISE, 1));
        assertThrows(IllegalArgumentException.class, () -> faults.failNth(Call.MADVISE, 0, Errno.EINVAL));
    }
}
