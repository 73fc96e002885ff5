package io.warmpool.natives;

/**
 * Numbers of the system calls that glibc 2.36 has no wrapper for, per architecture.
 */
final class SyscallNumbers {
    private SyscallNumbers() {
    }

    /** {@code __NR_userfaultfd}: 323 on x86-64, 282 on AArch64 (the generic table). */
    static final long USERFAULTFD = isAarch64() ? 282 : 323;

    private static boolean isAarch64() {
        String arch = System.getProperty("os.arch");
        return "aarch64".equals(arch) || "arm64".equals(arch);
    }
}
