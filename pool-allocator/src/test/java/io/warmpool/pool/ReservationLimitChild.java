package io.warmpool.pool;

import io.warmpool.natives.Fcntl;
import io.warmpool.natives.Mman;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.Syscalls;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ReservationException;

/**
 * The child JVM of {@code PoolConfigValidationTest}, run under a lowered {@code RLIMIT_AS}: builds
 * a configuration whose reservation the limit leaves no room for (a configuration is a value: that
 * works), creates a pool of it (refused), then asks the kernel for the same reservation (which it
 * must refuse too), then builds and uses a pool that fits. Prints one line for each step.
 *
 * <p>Arguments: the memory slots of the large configuration, and of the small one; each slot
 * reserves {@link #SLOT_BYTES} and a guard of {@link #GUARD_BYTES}.
 */
public final class ReservationLimitChild {
    static final long SLOT_BYTES = 1L << 30;
    static final long GUARD_BYTES = 64L << 20;

    private ReservationLimitChild() {
    }

    public static void main(String[] args) {
        Syscalls os = Syscalls.linux();
        System.out.println("LIMIT " + os.getrlimitSoft(Fcntl.RLIMIT_AS));
        PoolConfig large = config(Integer.parseInt(args[0])).build();
        System.out.println("BUILT the large configuration");
        try (WarmPool pool = WarmPool.create(large)) {
            System.out.println("CREATED a pool of the large configuration");
        } catch (ReservationException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
        long reservation = GUARD_BYTES + Integer.parseInt(args[0]) * (SLOT_BYTES + GUARD_BYTES);
        try {
            long address = os.mmap(0, reservation, Mman.PROT_NONE,
                    Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, -1, 0);
            os.munmap(address, reservation);
            System.out.println("MAPPED the large reservation");
        } catch (NativeCallException e) {
            System.out.println("KERNEL " + e.errnoName());
        }
        try (WarmPool pool = WarmPool.create(config(Integer.parseInt(args[1])).build());
             Instance instance = pool.acquire(InstanceRequest.memory("small", 1 << 20))) {
            instance.memory(0).buffer().putLong(0, 42);
            System.out.println("SERVED by the small configuration");
        }
    }

    private static PoolConfig.Builder config(int memories) {
        return PoolConfig.builder().memories(memories).memoryMax(SLOT_BYTES).memoryGuard(GUARD_BYTES)
                .tables(0).stacks(0);
    }
}
