/**
 * Which pages of a range are dirty, from {@code /proc/self/pagemap}: the {@code PAGEMAP_SCAN} ioctl
 * (Linux 6.7+) with its capability probe, and the {@code pread} of eight bytes a page where the
 * ioctl is missing ({@link io.warmpool.pagemap.PagemapScanner}, {@link io.warmpool.pagemap.ScanMode});
 * and which pages were written since they were last write-protected, with userfaultfd in
 * asynchronous write-protect mode ({@link io.warmpool.pagemap.WrittenPageTracker}).
 */
package io.warmpool.pagemap;
