package io.warmpool.natives;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Optional;

import static io.warmpool.natives.Mman.MAP_ANONYMOUS;
import static io.warmpool.natives.Mman.MAP_NORESERVE;
import static io.warmpool.natives.Mman.MAP_PRIVATE;
import static io.warmpool.natives.Mman.PROT_NONE;
import static io.warmpool.natives.Mman.PROT_READ;
import static io.warmpool.natives.Mman.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JNI binding of the hot calls against the JNA one, both loaded in this JVM, on the real kernel:
 * the same results, the same errno for the same bad arguments. (The surefire execution
 * {@code jna-fallback} runs the whole process on JNA; see {@code JnaFallbackTest}.)
 */
class HotCallsTest {
    private final Syscalls os = Syscalls.linux();
    private final long page = os.pageSize();
    private final HotCalls.Binding jni = new JniCalls();
    private final HotCalls.Binding jna = new JnaCalls();
    private final long base = os.mmap(0, 8 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    @AfterEach
    void unmap() {
        os.munmap(base, 8 * page);
    }

    @Test
    void thisBuildLoadsTheBundledLibraryAndDoesNotFallBack() {
        assertEquals("jni", HotCalls.binding());
        assertEquals(Optional.empty(), HotCalls.fallbackReason());
        assertTrue(HotCalls.BINDING instanceof JniCalls);
    }

    @Test
    void bothBindingsSucceedAlikeOnGoodArguments() {
        for (HotCalls.Binding binding : new HotCalls.Binding[] {jni, jna}) {
            NativeMemory.putByte(base, (byte) 1);
            assertEquals(0, binding.madvise(base, page, Mman.MADV_DONTNEED), binding.name());
            assertEquals(0, NativeMemory.getByte(base), binding.name() + ": the page reads zero after MADV_DONTNEED");
            assertEquals(0, binding.mprotect(base + page, page, PROT_READ), binding.name());
            assertEquals(0, binding.mprotect(base + page, page, PROT_READ | PROT_WRITE), binding.name());
            binding.memset(base + 2 * page, 0x5a, page);
            assertEquals(0, NativeMemory.firstNonZero(base + 2 * page, page));
            binding.memcpy(base + 3 * page, base + 2 * page, page);
            assertEquals(0x5a, NativeMemory.getByte(base + 4 * page - 1));
            binding.memset(base + 2 * page, 0, 2 * page);
            assertEquals(-1, NativeMemory.firstNonZero(base + 2 * page, 2 * page), binding.name());
        }
    }

    @Test
    void bothBindingsReturnTheSameErrnoForTheSameBadArguments() {
        long unmapped = os.mmap(0, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        os.munmap(unmapped, page);
        int status = os.open("/proc/self/status", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        try {
            long[][] cases = {
                {madvise(jni, 0x1001, page, Mman.MADV_DONTNEED), madvise(jna, 0x1001, page, Mman.MADV_DONTNEED), Errno.EINVAL.number()},
                {madvise(jni, unmapped, page, Mman.MADV_DONTNEED), madvise(jna, unmapped, page, Mman.MADV_DONTNEED), Errno.ENOMEM.number()},
                {madvise(jni, base, page, 9999), madvise(jna, base, page, 9999), Errno.EINVAL.number()},
                {jni.mprotect(0x1001, page, PROT_READ), jna.mprotect(0x1001, page, PROT_READ), Errno.EINVAL.number()},
                {jni.mprotect(unmapped, page, PROT_READ), jna.mprotect(unmapped, page, PROT_READ), Errno.ENOMEM.number()},
                {jni.ioctl(-1, 0xC0606610L, 0), jna.ioctl(-1, 0xC0606610L, 0), Errno.EBADF.number()},
                {jni.ioctl(status, 0xC0606610L, 0), jna.ioctl(status, 0xC0606610L, 0), Errno.ENOTTY.number()},
                {jni.ioctlWords(-1, Userfaultfd.UFFDIO_API, new long[3]), jna.ioctlWords(-1, Userfaultfd.UFFDIO_API, new long[3]),
                    Errno.EBADF.number()},
            };
            for (int i = 0; i < cases.length; i++) {
                assertEquals(-cases[i][2], cases[i][0], "case " + i + " through JNI");
                assertEquals(cases[i][0], cases[i][1], "case " + i + ": JNA and JNI differ");
            }
        } finally {
            os.close(status);
        }
    }

    private static long madvise(HotCalls.Binding binding, long address, long length, int advice) {
        return binding.madvise(address, length, advice);
    }

    @Test
    void uffdioStructsGoInAndComeBackOutThroughBothBindingsAlike() {
        long[][] answers = new long[2][];
        HotCalls.Binding[] bindings = {jni, jna};
        for (int i = 0; i < bindings.length; i++) {
            int uffd = os.userfaultfd(Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK | Userfaultfd.UFFD_USER_MODE_ONLY);
            try {
                long[] api = {Userfaultfd.UFFD_API, Userfaultfd.UFFD_FEATURE_WP_ASYNC, 0};
                assertEquals(0, bindings[i].ioctlWords(uffd, Userfaultfd.UFFDIO_API, api), bindings[i].name());
                long[] register = {base, 8 * page, Userfaultfd.UFFDIO_REGISTER_MODE_WP, 0};
                assertEquals(0, bindings[i].ioctlWords(uffd, Userfaultfd.UFFDIO_REGISTER, register), bindings[i].name());
                answers[i] = new long[] {api[1], api[2], register[3]};
                long[] unaligned = {base + 1, page, Userfaultfd.UFFDIO_REGISTER_MODE_WP, 0};
                assertEquals(-Errno.EINVAL.number(), bindings[i].ioctlWords(uffd, Userfaultfd.UFFDIO_REGISTER, unaligned));
                long protect = Userfaultfd.UFFDIO_WRITEPROTECT_MODE_WP;
                assertEquals(0, bindings[i].ioctlRange(uffd, Userfaultfd.UFFDIO_WRITEPROTECT, base, page, protect));
                assertEquals(-Errno.EINVAL.number(),
                        bindings[i].ioctlRange(uffd, Userfaultfd.UFFDIO_WRITEPROTECT, base + 1, page, protect));
                assertEquals(0, bindings[i].ioctlRange(uffd, Userfaultfd.UFFDIO_UNREGISTER, base, 8 * page, 0));
                assertEquals(-Errno.ENOENT.number(),
                        bindings[i].ioctlRange(uffd, Userfaultfd.UFFDIO_WRITEPROTECT, base, page, protect),
                        bindings[i].name() + ": no longer registered");
            } finally {
                os.close(uffd);
            }
        }
        assertTrue((answers[0][0] & Userfaultfd.UFFD_FEATURE_WP_ASYNC) != 0, Arrays.toString(answers[0]));
        assertTrue(answers[0][2] != 0, "UFFDIO_REGISTER wrote the ioctls of the range");
        assertArrayEquals(answers[0], answers[1], "what the kernel wrote back, through JNI and JNA");
    }

    @Test
    void jniCanBeTurnedOffAndAMissingLibraryIsAReasonNotAnError() {
        assertEquals(Optional.of("JNI turned off with -Dwarmpool.jni.library=none"), JniCalls.load(" none "));
        Optional<String> missing = JniCalls.load("/no/such/dir/libwarmpoolcalls.so");
        assertTrue(missing.isPresent());
        assertTrue(missing.get().contains("/no/such/dir/libwarmpoolcalls.so"), missing.get());
        assertEquals(Optional.empty(), JniCalls.load(null), "the bundled library loads again, harmlessly");
    }
}
