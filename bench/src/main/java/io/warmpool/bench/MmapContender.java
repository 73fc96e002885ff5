package io.warmpool.bench;

import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeMemory;

import java.nio.ByteBuffer;

/**
 * A fresh mapping per instance: {@code mmap} of the slot's size (private, anonymous, read-write;
 * {@code MADV_NOHUGEPAGE} as the pool's slots get, so that both fault page by page) and
 * {@code munmap} when the instance is done. Every page the tenant writes faults.
 */
final class MmapContender extends InProcessContender {
    private long address;
    private long length;

    @Override
    public String name() {
        return "mmap-munmap";
    }

    @Override
    protected void setUp(Workload workload) {
        length = workload.slotBytes();
    }

    @Override
    protected ByteBuffer acquire(Workload workload) {
        address = os.mmap(0, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        os.madvise(address, length, Mman.MADV_NOHUGEPAGE);
        return NativeMemory.view(address, workload.spreadBytes());
    }

    @Override
    protected void release() {
        os.munmap(address, length);
        address = 0;
    }

    @Override
    protected Resident resident() {
        return new Resident(0, "nothing stays mapped");
    }

    @Override
    protected void tearDown() {
        if (address != 0) {
            release();
        }
    }
}
