package io.warmpool.natives;

/**
 * Constants and struct layouts of {@code <linux/userfaultfd.h>} for write-protect tracking: the flag
 * of the system call, the features, the register and write-protect modes, and the ioctls with the
 * structs they take. Every struct is a run of 64-bit words, passed as a {@code long[]}:
 *
 * <pre>
 *  ioctl                 struct                 words (u64)                         size  request
 *  UFFDIO_API            uffdio_api             api, features (in/out), ioctls (out)  24  _IOWR(0xAA, 0x3F)
 *  UFFDIO_REGISTER       uffdio_register        start, len, mode, ioctls (out)        32  _IOWR(0xAA, 0x00)
 *  UFFDIO_UNREGISTER     uffdio_range           start, len                            16  _IOR (0xAA, 0x01)
 *  UFFDIO_WRITEPROTECT   uffdio_writeprotect    start, len, mode                      24  _IOWR(0xAA, 0x06)
 * </pre>
 *
 * Each request number is computed here from its struct's word count, the way {@code _IOC} encodes the
 * size into bits 16..29, so a layout and its request cannot disagree; {@code UserfaultfdTest} checks
 * them against the numbers of the kernel's header.
 */
public final class Userfaultfd {
    private Userfaultfd() {
    }

    /** {@code UFFD_USER_MODE_ONLY}: handle faults of user code only; lets unprivileged processes open one. */
    public static final int UFFD_USER_MODE_ONLY = 1;

    /** {@code UFFD_API}: the API version {@code UFFDIO_API} asks for. */
    public static final long UFFD_API = 0xAA;

    /** {@code UFFD_FEATURE_WP_UNPOPULATED} (6.4): write-protect marks unpopulated anonymous pages too. */
    public static final long UFFD_FEATURE_WP_UNPOPULATED = 1L << 13;
    /** {@code UFFD_FEATURE_WP_ASYNC} (6.7): the kernel resolves write-protect faults itself, no reader. */
    public static final long UFFD_FEATURE_WP_ASYNC = 1L << 15;

    /** {@code UFFDIO_REGISTER_MODE_WP}: track writes to the range. */
    public static final long UFFDIO_REGISTER_MODE_WP = 1L << 1;
    /** {@code UFFDIO_WRITEPROTECT_MODE_WP}: protect; without it, {@code UFFDIO_WRITEPROTECT} unprotects. */
    public static final long UFFDIO_WRITEPROTECT_MODE_WP = 1L << 0;

    /** Words of {@code struct uffdio_api}. */
    public static final int API_WORDS = 3;
    /** Words of {@code struct uffdio_register}. */
    public static final int REGISTER_WORDS = 4;
    /** Words of {@code struct uffdio_range}. */
    public static final int RANGE_WORDS = 2;
    /** Words of {@code struct uffdio_writeprotect}. */
    public static final int WRITEPROTECT_WORDS = 3;

    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;
    private static final int UFFDIO = 0xAA;

    /** {@code UFFDIO_API}. */
    public static final long UFFDIO_API = ioc(IOC_READ | IOC_WRITE, 0x3F, API_WORDS);
    /** {@code UFFDIO_REGISTER}. */
    public static final long UFFDIO_REGISTER = ioc(IOC_READ | IOC_WRITE, 0x00, REGISTER_WORDS);
    /** {@code UFFDIO_UNREGISTER}. */
    public static final long UFFDIO_UNREGISTER = ioc(IOC_READ, 0x01, RANGE_WORDS);
    /** {@code UFFDIO_WRITEPROTECT}. */
    public static final long UFFDIO_WRITEPROTECT = ioc(IOC_READ | IOC_WRITE, 0x06, WRITEPROTECT_WORDS);

    /** {@code _IOC(direction, 0xAA, number, words * 8)}. */
    private static long ioc(int direction, int number, int words) {
        return ((long) direction << 30) | ((long) words * Long.BYTES << 16) | ((long) UFFDIO << 8) | number;
    }

    /** The struct size an ioctl request number encodes ({@code _IOC_SIZE}). */
    public static int structSize(long request) {
        return (int) ((request >>> 16) & 0x3FFF);
    }
}
