package io.warmpool.bench;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * What a Java user does without a pool: {@code ByteBuffer.allocateDirect} of the slot's size per
 * instance (malloc, then the JDK zeroes all of it) and an explicit free when the instance is done
 * ({@code sun.misc.Unsafe.invokeCleaner}, rather than waiting for the garbage collector).
 */
final class DirectBufferContender extends InProcessContender {
    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private ByteBuffer buffer;
    private long rssBefore;

    @Override
    public String name() {
        return "allocate-direct";
    }

    @Override
    public Optional<String> unsupported(Workload workload) {
        return directUnsupported(workload);
    }

    /** Why a direct buffer cannot hold a workload's slot, or empty when it can. */
    static Optional<String> directUnsupported(Workload workload) {
        return workload.slotBytes() > Integer.MAX_VALUE
                ? Optional.of("a direct buffer holds at most 2 GiB - 1 bytes")
                : Optional.empty();
    }

    @Override
    protected void setUp(Workload workload) {
        rssBefore = ProcessMemory.rssAnonBytes();
    }

    @Override
    protected ByteBuffer acquire(Workload workload) {
        buffer = ByteBuffer.allocateDirect((int) workload.slotBytes());
        return buffer;
    }

    @Override
    protected void release() {
        free(buffer);
        buffer = null;
    }

    /** Frees a direct buffer now ({@code Unsafe.invokeCleaner}). */
    static void free(ByteBuffer direct) {
        UNSAFE.invokeCleaner(direct);
    }

    @Override
    protected Resident resident() {
        return new Resident(Math.max(0, ProcessMemory.rssAnonBytes() - rssBefore),
                "growth of the process's RssAnon over the run (what malloc kept)");
    }

    @Override
    protected void tearDown() {
        if (buffer != null) {
            release();
        }
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (sun.misc.Unsafe) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach sun.misc.Unsafe to free direct buffers explicitly", e);
        }
    }
}
