package io.warmpool.natives;

import io.warmpool.natives.testing.FaultInjectingSyscalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.warmpool.natives.Userfaultfd.UFFDIO_REGISTER_MODE_WP;
import static io.warmpool.natives.Userfaultfd.UFFDIO_WRITEPROTECT_MODE_WP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The uffdio calls on the real kernel (6.18 here): what succeeds, and how each failure reads. */
class UserfaultfdCallsTest {
    private final Syscalls os = Syscalls.linux();
    private final long page = os.pageSize();
    private final long base = os.mmap(0, 8 * page, Mman.PROT_READ | Mman.PROT_WRITE,
            Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
    private final int uffd = os.userfaultfd(Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK | Userfaultfd.UFFD_USER_MODE_ONLY);

    @AfterEach
    void cleanUp() {
        os.close(uffd);
        os.munmap(base, 8 * page);
    }

    @Test
    void requestNumbersAreTheKernelHeadersAndEncodeTheirStructSizes() {
        assertEquals(0xC018AA3FL, Userfaultfd.UFFDIO_API);
        assertEquals(0xC020AA00L, Userfaultfd.UFFDIO_REGISTER);
        assertEquals(0x8010AA01L, Userfaultfd.UFFDIO_UNREGISTER);
        assertEquals(0xC018AA06L, Userfaultfd.UFFDIO_WRITEPROTECT);
        assertEquals(24, Userfaultfd.structSize(Userfaultfd.UFFDIO_API));
        assertEquals(32, Userfaultfd.structSize(Userfaultfd.UFFDIO_REGISTER));
        assertEquals(16, Userfaultfd.structSize(Userfaultfd.UFFDIO_UNREGISTER));
        assertEquals(24, Userfaultfd.structSize(Userfaultfd.UFFDIO_WRITEPROTECT));
    }

    @Test
    void writeProtectAsyncRoundTripRegistersProtectsLetsWritesThroughAndUnregisters() {
        long supported = os.uffdioApi(uffd, KernelFeatures.WP_ASYNC_FEATURES);
        assertEquals(KernelFeatures.WP_ASYNC_FEATURES, supported & KernelFeatures.WP_ASYNC_FEATURES);
        long ioctls = os.uffdioRegister(uffd, base, 8 * page, UFFDIO_REGISTER_MODE_WP);
        assertTrue((ioctls & (1L << 0x06)) != 0, "the range supports UFFDIO_WRITEPROTECT: 0x" + Long.toHexString(ioctls));
        os.uffdioWriteprotect(uffd, base, 8 * page, UFFDIO_WRITEPROTECT_MODE_WP);
        NativeMemory.putLong(base + 3 * page, 42); // async mode: the kernel resolves the fault, no reader
        assertEquals(42, NativeMemory.getLong(base + 3 * page));
        os.uffdioWriteprotect(uffd, base, 8 * page, 0);
        os.uffdioUnregister(uffd, base, 8 * page);
        os.uffdioUnregister(uffd, base, 8 * page); // a range no longer registered: nothing to do
        os.uffdioRegister(uffd, base, 8 * page, UFFDIO_REGISTER_MODE_WP);
    }

    @Test
    void eachFailureNamesTheUffdTheRangeAndTheErrno() {
        os.uffdioApi(uffd, KernelFeatures.WP_ASYNC_FEATURES);
        NativeCallException twice = assertThrows(NativeCallException.class,
                () -> os.uffdioApi(uffd, KernelFeatures.WP_ASYNC_FEATURES));
        assertEquals(Call.UFFDIO_API, twice.call());
        assertTrue(twice.is(Errno.EINVAL), twice.getMessage());
        assertEquals("ioctl(uffd=" + uffd + ", request=UFFDIO_API, api=0xaa, features=0xa000)", twice.invocation());

        NativeCallException unaligned = assertThrows(NativeCallException.class,
                () -> os.uffdioRegister(uffd, base + 1, page, UFFDIO_REGISTER_MODE_WP));
        assertEquals("ioctl(uffd=" + uffd + ", request=UFFDIO_REGISTER, start=0x" + Long.toHexString(base + 1)
                + ", length=0x" + Long.toHexString(page) + ", mode=0x2) failed: errno 22 EINVAL (Invalid argument)",
                unaligned.getMessage());

        NativeCallException notRegistered = assertThrows(NativeCallException.class,
                () -> os.uffdioWriteprotect(uffd, base, page, UFFDIO_WRITEPROTECT_MODE_WP));
        assertEquals(Call.UFFDIO_WRITEPROTECT, notRegistered.call());
        assertTrue(notRegistered.is(Errno.ENOENT), notRegistered.getMessage());
        assertTrue(notRegistered.getMessage().contains("start=0x" + Long.toHexString(base) + ", length=0x"
                + Long.toHexString(page)), notRegistered.getMessage());

        long hole = os.mmap(0, page, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        os.munmap(hole, page);
        NativeCallException unmapped = assertThrows(NativeCallException.class,
                () -> os.uffdioUnregister(uffd, hole, page));
        assertEquals(Call.UFFDIO_UNREGISTER, unmapped.call());
        assertTrue(unmapped.is(Errno.EINVAL), unmapped.getMessage());

        NativeCallException closed = assertThrows(NativeCallException.class,
                () -> os.uffdioRegister(-1, base, page, UFFDIO_REGISTER_MODE_WP));
        assertTrue(closed.is(Errno.EBADF), closed.getMessage());
    }

    @Test
    void faultInjectionFailsEachUffdioCallWithoutReachingTheKernel() {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(os);
        faults.failNth(Call.UFFDIO_API, 1, Errno.EPERM);
        assertTrue(assertThrows(NativeCallException.class,
                () -> faults.uffdioApi(uffd, KernelFeatures.WP_ASYNC_FEATURES)).is(Errno.EPERM));
        faults.uffdioApi(uffd, KernelFeatures.WP_ASYNC_FEATURES); // the injected failure never reached the kernel
        Call[] calls = {Call.UFFDIO_REGISTER, Call.UFFDIO_WRITEPROTECT, Call.UFFDIO_UNREGISTER};
        for (Call call : calls) {
            faults.failAlways(call, Errno.ENOMEM);
        }
        assertTrue(assertThrows(NativeCallException.class,
                () -> faults.uffdioRegister(uffd, base, page, UFFDIO_REGISTER_MODE_WP)).is(Errno.ENOMEM));
        assertTrue(assertThrows(NativeCallException.class,
                () -> faults.uffdioWriteprotect(uffd, base, page, UFFDIO_WRITEPROTECT_MODE_WP)).is(Errno.ENOMEM));
        assertTrue(assertThrows(NativeCallException.class,
                () -> faults.uffdioUnregister(uffd, base, page)).is(Errno.ENOMEM));
        for (Call call : calls) {
            assertEquals(1, faults.injectedFailures(call), call.name());
        }
        faults.clear();
        faults.uffdioRegister(uffd, base, page, UFFDIO_REGISTER_MODE_WP);
        faults.uffdioWriteprotect(uffd, base, page, UFFDIO_WRITEPROTECT_MODE_WP);
        faults.uffdioUnregister(uffd, base, page);
    }
}
