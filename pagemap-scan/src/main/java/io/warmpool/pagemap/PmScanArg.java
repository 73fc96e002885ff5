package io.warmpool.pagemap;

import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;

import java.nio.ByteBuffer;

/**
 * The off-heap argument of one {@code PAGEMAP_SCAN} ioctl and its region vector, allocated once and
 * reused for every call, so that a scan allocates nothing.
 *
 * <pre>
 * struct pm_scan_arg (96 bytes, every field a u64)      struct page_region (24 bytes) x vecLen
 *  +0  size                 = 96                          +0  start        first byte
 *  +8  flags                  PM_SCAN_WP_MATCHING,        +8  end          byte after (exclusive)
 *                             PM_SCAN_CHECK_WPASYNC
 * +16  start                  page-aligned                +16 categories   & return_mask
 * +24  end                    rounded up by the kernel
 * +32  walk_end     (out)     where the walk stopped: the range's end, or the first matching page
 *                             it could not report (the vector was full, or max_pages were spent:
 *                             then it may lie well past the last page reported)
 * +40  vec                    address of the region vector
 * +48  vec_len                regions the vector holds; 0: report nothing (with WP_MATCHING, the
 *                             kernel then write-protects every entry of the range not yet protected)
 * +56  max_pages              stop after reporting this many pages; 0: no limit
 * +64  category_inverted
 * +72  category_mask
 * +80  category_anyof_mask
 * +88  return_mask
 * </pre>
 *
 * The pread fallback writes its regions into the same vector and sets {@code walk_end} the same way,
 * so the scan loop reads both paths alike.
 */
final class PmScanArg implements AutoCloseable {
    /** {@code _IOWR('f', 16, struct pm_scan_arg)}. */
    static final long PAGEMAP_SCAN = 0xC0606610L;
    static final int SIZE = 96;
    static final int REGION_SIZE = 24;

    private static final int OFF_SIZE = 0;
    private static final int OFF_FLAGS = 8;
    private static final int OFF_START = 16;
    private static final int OFF_END = 24;
    private static final int OFF_WALK_END = 32;
    private static final int OFF_VEC = 40;
    private static final int OFF_VEC_LEN = 48;
    private static final int OFF_MAX_PAGES = 56;
    private static final int OFF_INVERTED = 64;
    private static final int OFF_MASK = 72;
    private static final int OFF_ANYOF = 80;
    private static final int OFF_RETURN_MASK = 88;

    private final long address;
    private final ByteBuffer arg;
    private final long vecAddress;
    private final ByteBuffer vec;
    private final int vecLen;

    /** Allocates an argument and a vector of {@code vecLen} regions. */
    PmScanArg(int vecLen) {
        if (vecLen < 1) {
            throw new IllegalArgumentException("a region vector holds at least one region, not " + vecLen);
        }
        this.vecLen = vecLen;
        this.address = NativeMemory.allocate(SIZE + (long) REGION_SIZE * vecLen);
        this.vecAddress = address + SIZE;
        this.arg = NativeMemory.view(address, SIZE);
        this.vec = NativeMemory.view(vecAddress, (long) REGION_SIZE * vecLen);
        arg.putLong(OFF_SIZE, SIZE);
        arg.putLong(OFF_FLAGS, 0);
        arg.putLong(OFF_VEC, vecAddress);
    }

    int vecLen() {
        return vecLen;
    }

    /** Fills in one call's range, budget and selection; {@code regions} may be 0 (report nothing). */
    void set(long start, long end, long maxPages, ScanSelection selection, int regions) {
        arg.putLong(OFF_FLAGS, selection.flags());
        arg.putLong(OFF_START, start);
        arg.putLong(OFF_END, end);
        arg.putLong(OFF_WALK_END, 0);
        arg.putLong(OFF_VEC_LEN, Math.min(regions, vecLen));
        arg.putLong(OFF_MAX_PAGES, maxPages);
        arg.putLong(OFF_INVERTED, selection.inverted());
        arg.putLong(OFF_MASK, selection.mask());
        arg.putLong(OFF_ANYOF, selection.anyof());
        arg.putLong(OFF_RETURN_MASK, selection.returnMask());
    }

    /** Issues the ioctl on {@code fd}; returns the number of regions written. */
    int call(Syscalls os, int fd) {
        return os.ioctl(fd, PAGEMAP_SCAN, address);
    }

    long walkEnd() {
        return arg.getLong(OFF_WALK_END);
    }

    void walkEnd(long walkEnd) {
        arg.putLong(OFF_WALK_END, walkEnd);
    }

    long regionStart(int i) {
        return vec.getLong(i * REGION_SIZE);
    }

    long regionEnd(int i) {
        return vec.getLong(i * REGION_SIZE + 8);
    }

    long regionCategories(int i) {
        return vec.getLong(i * REGION_SIZE + 16);
    }

    void putRegion(int i, long start, long end, long categories) {
        vec.putLong(i * REGION_SIZE, start);
        vec.putLong(i * REGION_SIZE + 8, end);
        vec.putLong(i * REGION_SIZE + 16, categories);
    }

    @Override
    public void close() {
        NativeMemory.free(address);
    }
}
