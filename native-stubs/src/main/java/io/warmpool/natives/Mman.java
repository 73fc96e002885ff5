package io.warmpool.natives;

/**
 * Constants of {@code <sys/mman.h>} on Linux (x86-64 and AArch64 share them).
 */
public final class Mman {
    private Mman() {
    }

    /** {@code mmap}'s failure value, {@code (void *) -1}. */
    public static final long MAP_FAILED = -1L;

    public static final int PROT_NONE = 0x0;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;

    public static final int MADV_NORMAL = 0;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_FREE = 8;
    public static final int MADV_REMOVE = 9;
    public static final int MADV_DONTFORK = 10;
    public static final int MADV_DOFORK = 11;
    public static final int MADV_HUGEPAGE = 14;
    public static final int MADV_NOHUGEPAGE = 15;
    public static final int MADV_WIPEONFORK = 18;
    public static final int MADV_KEEPONFORK = 19;
    public static final int MADV_COLD = 20;
    public static final int MADV_PAGEOUT = 21;
    public static final int MADV_POPULATE_READ = 22;
    public static final int MADV_POPULATE_WRITE = 23;

    /** The symbolic name of an {@code madvise} advice, for messages. */
    public static String adviceName(int advice) {
        switch (advice) {
            case MADV_NORMAL: return "MADV_NORMAL";
            case MADV_DONTNEED: return "MADV_DONTNEED";
            case MADV_FREE: return "MADV_FREE";
            case MADV_REMOVE: return "MADV_REMOVE";
            case MADV_DONTFORK: return "MADV_DONTFORK";
            case MADV_DOFORK: return "MADV_DOFORK";
            case MADV_HUGEPAGE: return "MADV_HUGEPAGE";
            case MADV_NOHUGEPAGE: return "MADV_NOHUGEPAGE";
            case MADV_WIPEONFORK: return "MADV_WIPEONFORK";
            case MADV_KEEPONFORK: return "MADV_KEEPONFORK";
            case MADV_COLD: return "MADV_COLD";
            case MADV_PAGEOUT: return "MADV_PAGEOUT";
            case MADV_POPULATE_READ: return "MADV_POPULATE_READ";
            case MADV_POPULATE_WRITE: return "MADV_POPULATE_WRITE";
            default: return "MADV_?" + advice;
        }
    }
}
