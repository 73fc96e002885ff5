package io.warmpool.natives;

import java.util.Locale;

/**
 * Every native call that warmpool makes, with the names of its arguments and how a failure message
 * prints them. {@link LinuxSyscalls} and the fault-injecting double both build their
 * {@link NativeCallException}s here, so a failure reads the same wherever it came from.
 *
 * <p>Argument kinds in the signatures: {@code x} hexadecimal, {@code d} decimal, {@code s} string,
 * {@code advice} an {@code madvise} advice by name.
 */
public enum Call {
    MMAP("mmap", "address:x length:x prot:x flags:x fd:d offset:x"),
    MUNMAP("munmap", "address:x length:x"),
    MPROTECT("mprotect", "address:x length:x prot:x"),
    MADVISE("madvise", "address:x length:x advice:advice"),
    IOCTL("ioctl", "fd:d request:x argument:x"),
    OPEN("open", "path:s flags:x mode:x"),
    CLOSE("close", "fd:d"),
    PREAD("pread", "fd:d buffer:x count:x offset:x"),
    DUP3("dup3", "oldfd:d newfd:d flags:x"),
    FCNTL("fcntl", "fd:d cmd:d arg:x"),
    GETPID("getpid", ""),
    SYSCONF("sysconf", "name:d"),
    PIDFD_OPEN("pidfd_open", "pid:d flags:x"),
    PROCESS_MADVISE("process_madvise", "pidfd:d iovec:x vlen:d advice:advice flags:x"),
    MEMFD_CREATE("memfd_create", "name:s flags:x"),
    FTRUNCATE("ftruncate", "fd:d length:x"),
    USERFAULTFD("userfaultfd", "flags:x"),
    GETRLIMIT("getrlimit", "resource:d"),
    FORK("fork", ""),
    WAITPID("waitpid", "pid:d options:x"),
    KILL("kill", "pid:d signal:d"),
    WP_ATFORK_INSTALL("wp_atfork_install", ""),
    WP_REGISTER_FD("wp_register_fd", "fd:d path:s flags:x cloexec:d"),
    WP_UNREGISTER_FD("wp_unregister_fd", "fd:d"),
    WP_TEST_FORK("wp_test_fork_without_handlers", "");

    private final String cName;
    private final String[] names;
    private final String[] kinds;

    Call(String cName, String signature) {
        this.cName = cName;
        String[] params = signature.isEmpty() ? new String[0] : signature.split(" ");
        this.names = new String[params.length];
        this.kinds = new String[params.length];
        for (int i = 0; i < params.length; i++) {
            String[] nameAndKind = params[i].split(":");
            names[i] = nameAndKind[0];
            kinds[i] = nameAndKind[1];
        }
    }

    /** The C name of the call, such as {@code "madvise"}. */
    public String cName() {
        return cName;
    }

    /**
     * The exception for this call failing with {@code errno}, its arguments printed by name.
     *
     * @param arguments the call's arguments in C order: {@link Number}s, or {@link String}s for paths
     */
    public NativeCallException failure(int errno, Object... arguments) {
        return new NativeCallException(this, describe(arguments), errno);
    }

    /** The call as C would read it, such as {@code madvise(address=0x7f00, length=0x1000, advice=MADV_DONTNEED)}. */
    public String describe(Object... arguments) {
        if (arguments.length != names.length) {
            throw new IllegalArgumentException(cName + " takes " + names.length + " arguments, not " + arguments.length);
        }
        StringBuilder out = new StringBuilder(cName).append('(');
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(names[i]).append('=').append(format(kinds[i], arguments[i]));
        }
        return out.append(')').toString();
    }

    private static String format(String kind, Object value) {
        switch (kind) {
            case "x":
                return "0x" + Long.toHexString(((Number) value).longValue());
            case "d":
                return Long.toString(((Number) value).longValue());
            case "advice":
                return Mman.adviceName(((Number) value).intValue());
            case "s":
                return '"' + String.valueOf(value) + '"';
            default:
                throw new IllegalStateException(String.format(Locale.ROOT, "unknown argument kind %s", kind));
        }
    }
}
