package io.warmpool.pool.slab;

import io.warmpool.natives.Fcntl;
import io.warmpool.natives.Syscalls;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ReservationException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a pool's slabs fit in what this process may still map: its {@code RLIMIT_AS} (as
 * {@code ulimit -v} sets it) less what it maps already. Checked before the first slab is reserved, so
 * that a pool too large for the limit fails with one line naming the limit and the settings that
 * shrink the pool, instead of an {@code mmap} failing with {@code ENOMEM} halfway through.
 */
public final class AddressSpace {
    private AddressSpace() {
    }

    /**
     * @throws ReservationException when the reservation does not fit under the limit
     */
    public static void checkFits(PoolConfig config, Syscalls os) {
        long limit = os.getrlimitSoft(Fcntl.RLIMIT_AS);
        if (limit < 0) {
            return; // RLIM_INFINITY
        }
        long used = currentVirtualBytes();
        long wanted = config.reservationBytes();
        if (wanted > limit - used) {
            throw new ReservationException("the pool would reserve " + ByteSize.format(wanted)
                    + " of virtual memory, but RLIMIT_AS (ulimit -v) is " + ByteSize.format(limit)
                    + " and the process already maps " + ByteSize.format(used) + "; raise the limit or shrink "
                    + PoolConfig.keys(config.settingsThatShrinkTheReservation()),
                    config.settingsThatShrinkTheReservation());
        }
    }

    /** VmSize of /proc/self/status, in bytes. */
    private static long currentVirtualBytes() {
        Path status = Path.of("/proc/self/status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmSize:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read VmSize from " + status + " to check RLIMIT_AS", e);
        }
        throw new IllegalStateException(status + " has no VmSize line; cannot check RLIMIT_AS");
    }
}
