package io.warmpool.natives;

import io.warmpool.natives.testing.FaultInjectingSyscalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.warmpool.natives.Fcntl.F_SEALS_IMMUTABLE;
import static io.warmpool.natives.Mman.MAP_ANONYMOUS;
import static io.warmpool.natives.Mman.MAP_FIXED;
import static io.warmpool.natives.Mman.MAP_NORESERVE;
import static io.warmpool.natives.Mman.MAP_PRIVATE;
import static io.warmpool.natives.Mman.MAP_SHARED;
import static io.warmpool.natives.Mman.PROT_NONE;
import static io.warmpool.natives.Mman.PROT_READ;
import static io.warmpool.natives.Mman.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The calls a memory image needs, on the real kernel: a memfd written from native memory and sealed
 * immutable, then mapped copy-on-write over part of a slot-like reservation.
 */
class MemfdSealsTest {
    private static final int IMAGE_PAGES = 4;

    private final Syscalls os = Syscalls.linux();
    private final long page = os.pageSize();
    private final long imageBytes = IMAGE_PAGES * page;
    private final long source = NativeMemory.allocate(imageBytes);
    private final int memfd = os.memfdCreate("warmpool-image-test", Fcntl.MFD_CLOEXEC | Fcntl.MFD_ALLOW_SEALING);

    @AfterEach
    void cleanUp() {
        NativeMemory.free(source);
        os.close(memfd);
    }

    /** Fills the memfd with page {@code p} holding the byte {@code p + 1}, written with pwrite, then seals it. */
    private void writeAndSeal(Syscalls calls) {
        for (int p = 0; p < IMAGE_PAGES; p++) {
            NativeMemory.fill(source + p * page, page, (byte) (p + 1));
        }
        calls.ftruncate(memfd, imageBytes);
        long written = 0;
        while (written < imageBytes) {
            written += calls.pwrite(memfd, source + written, imageBytes - written, written);
        }
        calls.addSeals(memfd, F_SEALS_IMMUTABLE);
    }

    @Test
    void aSealedMemfdRefusesWritesGrowthShrinkingSharedWritableMappingsAndMoreSeals() {
        writeAndSeal(os);
        assertEquals(F_SEALS_IMMUTABLE, os.getSeals(memfd));
        NativeCallException write = assertThrows(NativeCallException.class, () -> os.pwrite(memfd, source, page, 0));
        assertEquals(Call.PWRITE, write.call());
        assertTrue(write.is(Errno.EPERM), write.getMessage());
        assertTrue(assertThrows(NativeCallException.class, () -> os.ftruncate(memfd, 2 * imageBytes)).is(Errno.EPERM));
        assertTrue(assertThrows(NativeCallException.class, () -> os.ftruncate(memfd, page)).is(Errno.EPERM));
        assertTrue(assertThrows(NativeCallException.class,
                () -> os.mmap(0, imageBytes, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0)).is(Errno.EPERM));
        NativeCallException seal = assertThrows(NativeCallException.class, () -> os.addSeals(memfd, Fcntl.F_SEAL_FUTURE_WRITE));
        assertEquals("fcntl(fd=" + memfd + ", cmd=F_ADD_SEALS, seals=0x10) failed: errno 1 EPERM (Operation not permitted)",
                seal.getMessage());
        long readOnly = os.mmap(0, imageBytes, PROT_READ, MAP_SHARED, memfd, 0);
        assertEquals(3, NativeMemory.getByte(readOnly + 2 * page + 5), "a read-only shared mapping reads the image");
        os.munmap(readOnly, imageBytes);
    }

    @Test
    void aMemfdMadeWithoutAllowSealingCannotBeSealed() {
        int plain = os.memfdCreate("warmpool-unsealable", Fcntl.MFD_CLOEXEC);
        try {
            assertEquals(Fcntl.F_SEAL_SEAL, os.getSeals(plain));
            assertTrue(assertThrows(NativeCallException.class, () -> os.addSeals(plain, Fcntl.F_SEAL_WRITE)).is(Errno.EPERM));
        } finally {
            os.close(plain);
        }
    }

    @Test
    void aPrivateFixedMappingOverASlotReadsTheImageCopiesOnWriteAndReadsTheFileAgainAfterDontneed() {
        writeAndSeal(os);
        long slotBytes = 16 * page;
        long slot = os.mmap(0, slotBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        try {
            os.mprotect(slot, slotBytes, PROT_READ | PROT_WRITE);
            NativeMemory.fill(slot, slotBytes, (byte) 0x7e); // a previous tenant's bytes
            long image = os.mmap(slot + page, imageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, memfd, 0);
            assertEquals(slot + page, image);
            for (int p = 0; p < IMAGE_PAGES; p++) {
                assertEquals(p + 1, NativeMemory.getByte(image + p * page), "page " + p);
                assertEquals(p + 1, NativeMemory.getByte(image + p * page + page - 1), "page " + p);
            }
            assertEquals(0x7e, NativeMemory.getByte(slot), "outside the image the slot is unchanged");

            NativeMemory.putByte(image + page + 10, (byte) -1); // a private copy of page 1
            assertEquals(-1, NativeMemory.getByte(image + page + 10));
            long readBack = NativeMemory.allocate(page);
            try {
                assertEquals(page, os.pread(memfd, readBack, page, page));
                assertEquals(2, NativeMemory.getByte(readBack + 10), "the file does not see the private write");
            } finally {
                NativeMemory.free(readBack);
            }

            os.madvise(image + page, page, Mman.MADV_DONTNEED);
            assertEquals(2, NativeMemory.getByte(image + page + 10), "MADV_DONTNEED drops the copy: the file again");

            NativeMemory.fill(image + 2 * page, page, (byte) 0);
            NativeMemory.copy(source + 2 * page, image + 2 * page, page); // a restore by copy
            assertEquals(3, NativeMemory.getByte(image + 2 * page + page - 1));
        } finally {
            os.munmap(slot, slotBytes);
        }
    }

    @Test
    void imageCallsFailOnDemandAndAShortPwriteIsShort() {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(os);
        faults.ftruncate(memfd, imageBytes);
        faults.truncate(Call.PWRITE, 100);
        assertEquals(100, faults.pwrite(memfd, source, imageBytes, 0));
        faults.clear();
        faults.failNth(Call.FCNTL_ADD_SEALS, 1, Errno.EBUSY).failNth(Call.FCNTL_GET_SEALS, 1, Errno.EBADF);
        NativeCallException add = assertThrows(NativeCallException.class, () -> faults.addSeals(memfd, F_SEALS_IMMUTABLE));
        assertTrue(add.is(Errno.EBUSY) && add.getMessage().startsWith("fcntl(fd=" + memfd + ", cmd=F_ADD_SEALS, seals=0xf)"),
                add.getMessage());
        assertTrue(assertThrows(NativeCallException.class, () -> faults.getSeals(memfd)).is(Errno.EBADF));
        assertEquals(0, faults.getSeals(memfd), "nothing reached the kernel: no seals yet");
        writeAndSeal(faults);
        assertEquals(F_SEALS_IMMUTABLE, faults.getSeals(memfd));
    }
}
