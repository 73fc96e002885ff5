/**
 * Which pages of a range hold data: the {@code PAGEMAP_SCAN} ioctl on {@code /proc/self/pagemap}
 * (Linux 6.7+) with {@code pread} of its entries as the fallback ({@link io.warmpool.pagemap.PagemapScanner}),
 * what the kernel offers ({@link io.warmpool.pagemap.PagemapCapabilities}), and which pages were
 * written since they were last write-protected, with userfaultfd in asynchronous write-protect mode
 * ({@link io.warmpool.pagemap.WrittenPageTracker}). The pool's reset strategies are built on these;
 * the strategies themselves live in pool-allocator.
 */
package io.warmpool.pagemap;
