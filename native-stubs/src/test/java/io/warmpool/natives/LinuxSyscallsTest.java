package io.warmpool.natives;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.warmpool.natives.Mman.MAP_ANONYMOUS;
import static io.warmpool.natives.Mman.MAP_NORESERVE;
import static io.warmpool.natives.Mman.MAP_PRIVATE;
import static io.warmpool.natives.Mman.PROT_NONE;
import static io.warmpool.natives.Mman.PROT_READ;
import static io.warmpool.natives.Mman.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinuxSyscallsTest {
    private final Syscalls os = Syscalls.linux();
    private final long page = os.pageSize();

    @Test
    void pageSizeIsAPowerOfTwoOfAtLeastFourKibibytes() {
        assertTrue(page >= 4096 && Long.bitCount(page) == 1, "page size " + page);
    }

    @Test
    void reservedMemoryBecomesUsableAfterMprotectAndReadsZeroAfterDontneed() {
        long base = os.mmap(0, 4 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        try {
            os.mprotect(base, 2 * page, PROT_READ | PROT_WRITE);
            NativeMemory.fill(base, 2 * page, (byte) 0x5a);
            assertEquals(0, NativeMemory.firstNonZero(base, 2 * page));
            os.madvise(base, 2 * page, Mman.MADV_DONTNEED);
            assertEquals(-1, NativeMemory.firstNonZero(base, 2 * page));
        } finally {
            os.munmap(base, 4 * page);
        }
    }

    @Test
    void failureNamesTheCallItsArgumentsInHexAndTheErrno() {
        long unaligned = 0x1001;
        NativeCallException e = assertThrows(NativeCallException.class,
                () -> os.madvise(unaligned, page, Mman.MADV_DONTNEED));
        assertEquals(Call.MADVISE, e.call());
        assertEquals(Errno.EINVAL.number(), e.errno());
        assertEquals("EINVAL", e.errnoName());
        assertEquals("madvise(address=0x1001, length=0x" + Long.toHexString(page)
                + ", advice=MADV_DONTNEED) failed: errno 22 EINVAL (Invalid argument)", e.getMessage());
    }

    @Test
    void ioctlOnAFileThatIsNotPagemapFailsWithEnotty() {
        int fd = os.open("/proc/self/status", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        try {
            NativeCallException e = assertThrows(NativeCallException.class, () -> os.ioctl(fd, 0xC0606610L, 0));
            assertTrue(e.is(Errno.ENOTTY), e.getMessage());
        } finally {
            os.close(fd);
        }
    }

    @Test
    void eachHotCallReportsTheErrnoOfItsOwnFailure() {
        NativeCallException mprotect = assertThrows(NativeCallException.class,
                () -> os.mprotect(0x1001, page, PROT_READ));
        assertEquals(Call.MPROTECT, mprotect.call());
        assertTrue(mprotect.is(Errno.EINVAL), mprotect.getMessage());
        long base = os.mmap(0, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        os.munmap(base, page);
        NativeCallException madvise = assertThrows(NativeCallException.class,
                () -> os.madvise(base, page, Mman.MADV_DONTNEED));
        assertTrue(madvise.is(Errno.ENOMEM), madvise.getMessage());
        NativeCallException ioctl = assertThrows(NativeCallException.class, () -> os.ioctl(-1, 0xC0606610L, 0));
        assertEquals(Call.IOCTL, ioctl.call());
        assertEquals("ioctl(fd=-1, request=0xc0606610, argument=0x0) failed: errno 9 EBADF (Bad file number)",
                ioctl.getMessage());
    }

    @Test
    void copyAndFillMoveTheBytesAsked() {
        long buffer = NativeMemory.allocate(3 * page);
        try {
            NativeMemory.fill(buffer + 1, page - 2, (byte) 9);
            assertEquals(0, NativeMemory.getByte(buffer));
            assertEquals(9, NativeMemory.getByte(buffer + page - 2));
            assertEquals(0, NativeMemory.getByte(buffer + page - 1));
            NativeMemory.copy(buffer, buffer + 2 * page, page);
            assertEquals(1, NativeMemory.firstNonZero(buffer + 2 * page, page));
            assertEquals(0, NativeMemory.getByte(buffer + 3 * page - 1));
            NativeMemory.copy(buffer, buffer + page, 0);
            assertEquals(-1, NativeMemory.firstNonZero(buffer + page, page), "a copy of no bytes copies none");
        } finally {
            NativeMemory.free(buffer);
        }
    }

    @Test
    void openOfAMissingPathNamesThePathAndEnoent() {
        NativeCallException e = assertThrows(NativeCallException.class,
                () -> os.open("/no/such/warmpool/file", Fcntl.O_RDONLY, 0));
        assertTrue(e.is(Errno.ENOENT));
        assertTrue(e.getMessage().startsWith("open(path=\"/no/such/warmpool/file\", flags=0x0, mode=0x0) failed"),
                e.getMessage());
    }

    @Test
    void preadReadsNativeMemoryAndDup3KeepsTheNumberAndCloseOnExec() {
        int fd = os.memfdCreate("warmpool-test", Fcntl.MFD_CLOEXEC);
        long buffer = NativeMemory.allocate(16);
        try {
            os.ftruncate(fd, page);
            long mapped = os.mmap(0, page, PROT_READ | PROT_WRITE, Mman.MAP_SHARED, fd, 0);
            NativeMemory.putLong(mapped + 8, 0x1122334455667788L);
            os.munmap(mapped, page);
            assertEquals(16, os.pread(fd, buffer, 16, 0));
            assertEquals(0x1122334455667788L, NativeMemory.getLong(buffer + 8));

            int other = os.open("/dev/null", Fcntl.O_RDONLY, 0);
            assertEquals(fd, os.dup3(other, fd, Fcntl.O_CLOEXEC));
            assertEquals(Fcntl.FD_CLOEXEC, os.fcntl(fd, Fcntl.F_GETFD, 0) & Fcntl.FD_CLOEXEC);
            assertEquals(0, os.pread(fd, buffer, 16, 0), "fd now names /dev/null");
            os.close(other);
        } finally {
            NativeMemory.free(buffer);
            os.close(fd);
        }
    }

    @Test
    void closingAClosedDescriptorIsEbadf() {
        int fd = os.open("/dev/null", Fcntl.O_RDONLY, 0);
        os.close(fd);
        NativeCallException e = assertThrows(NativeCallException.class, () -> os.close(fd));
        assertTrue(e.is(Errno.EBADF));
    }

    @Test
    void addressSpaceLimitIsReadable() {
        long limit = os.getrlimitSoft(Fcntl.RLIMIT_AS);
        assertTrue(limit == -1 || limit > 0, "RLIMIT_AS " + limit);
    }

    @Test
    void viewsAndAddressesRoundTrip() {
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        long address = NativeMemory.addressOf(direct);
        assertNotEquals(0, address);
        NativeMemory.putByte(address + 3, (byte) 7);
        assertEquals(7, direct.get(3));
        assertEquals(7, NativeMemory.view(address, 64).get(3));
        assertEquals(3, NativeMemory.firstNonZero(address, 64));
    }
}
