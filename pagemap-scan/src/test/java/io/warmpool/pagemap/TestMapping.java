package io.warmpool.pagemap;

import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;
import io.warmpool.natives.Syscalls;

/** A private anonymous read-write mapping for tests, addressed by page. */
final class TestMapping implements AutoCloseable {
    static final Syscalls OS = Syscalls.linux();
    static final long PAGE = OS.pageSize();

    final long base;
    final long pages;

    TestMapping(long pages) {
        this.pages = pages;
        this.base = OS.mmap(0, pages * PAGE, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, -1, 0);
        OS.madvise(base, pages * PAGE, Mman.MADV_NOHUGEPAGE);
    }

    long at(long page) {
        return base + page * PAGE;
    }

    long end() {
        return at(pages);
    }

    void write(long page) {
        NativeMemory.putByte(at(page) + 17, (byte) 0x5a);
    }

    void dontneed(long page, long count) {
        OS.madvise(at(page), count * PAGE, Mman.MADV_DONTNEED);
    }

    @Override
    public void close() {
        OS.munmap(base, pages * PAGE);
    }
}
