package io.warmpool.pool;

import io.warmpool.natives.Syscalls;

/** Whether {@code process_madvise(MADV_DONTNEED)} on this process works (Linux 6.13+). */
final class ProcessMadvise {
    private ProcessMadvise() {
    }

    static boolean worksOn(Syscalls os) {
        return false;
    }
}
