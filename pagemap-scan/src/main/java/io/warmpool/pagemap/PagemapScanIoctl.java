package io.warmpool.pagemap;

import io.warmpool.fork.PidCheckedFd;
import io.warmpool.natives.Syscalls;

/**
 * Regions from the {@code PAGEMAP_SCAN} ioctl: one system call fills the whole vector.
 */
final class PagemapScanIoctl implements RegionSource {
    private final Syscalls os;
    private final PidCheckedFd pagemap;

    PagemapScanIoctl(Syscalls os, PidCheckedFd pagemap) {
        this.os = os;
        this.pagemap = pagemap;
    }

    @Override
    public ScanMode mode() {
        return ScanMode.PAGEMAP_SCAN;
    }

    @Override
    public int fill(PmScanArg arg, long cursor, long end, ScanSelection selection, long maxPages) {
        arg.set(cursor, end, maxPages, selection, arg.vecLen());
        return arg.call(os, pagemap.fd());
    }

    @Override
    public void close() {
        // the descriptor belongs to the scanner
    }
}
