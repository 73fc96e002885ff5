package io.warmpool.natives;

import java.util.Locale;

/**
 * Every native call that warmpool makes, with the names of its arguments and how a failure message
 * prints them. {@link LinuxSyscalls} and the fault-injecting double both build their
 * {@link NativeCallException}s here, so a failure reads the same wherever it came from.
 *
 * <p>Argument kinds in the signatures: {@code x} hexadecimal, {@code d} decimal, {@code s} string,
 * {@code advice} an {@code madvise} advice by name. A parameter written {@code name=VALUE} is fixed by
 * the call itself (the request of an ioctl, the command of an fcntl): it is printed as written and
 * takes no argument.
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
    WP_TEST_FORK("wp_test_fork_without_handlers", ""),
    WP_TEST_SET_REGISTRY_LIMIT("wp_test_set_registry_limit", "most:d"),
    UFFDIO_API("ioctl", "uffd:d request=UFFDIO_API api=0xaa features:x"),
    UFFDIO_REGISTER("ioctl", "uffd:d request=UFFDIO_REGISTER start:x length:x mode:x"),
    UFFDIO_UNREGISTER("ioctl", "uffd:d request=UFFDIO_UNREGISTER start:x length:x"),
    UFFDIO_WRITEPROTECT("ioctl", "uffd:d request=UFFDIO_WRITEPROTECT start:x length:x mode:x"),
    PWRITE("pwrite", "fd:d buffer:x count:x offset:x"),
    FCNTL_ADD_SEALS("fcntl", "fd:d cmd=F_ADD_SEALS seals:x"),
    FCNTL_GET_SEALS("fcntl", "fd:d cmd=F_GET_SEALS");

    private final String cName;
    private final String[] names;
    private final String[] kinds; // null for a fixed parameter, whose value is in names
    private final int arguments;

    Call(String cName, String signature) {
        this.cName = cName;
        String[] params = signature.isEmpty() ? new String[0] : signature.split(" ");
        this.names = new String[params.length];
        this.kinds = new String[params.length];
        int count = 0;
        for (int i = 0; i < params.length; i++) {
            if (params[i].contains("=")) {
                names[i] = params[i];
                continue;
            }
            String[] nameAndKind = params[i].split(":");
            names[i] = nameAndKind[0];
            kinds[i] = nameAndKind[1];
            count++;
        }
        this.arguments = count;
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
        if (arguments.length != this.arguments) {
            throw new IllegalArgumentException(cName + " takes " + this.arguments + " arguments, not " + arguments.length);
        }
        StringBuilder out = new StringBuilder(cName).append('(');
        int next = 0;
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                out.append(", ");
            }
            if (kinds[i] == null) {
                out.append(names[i]);
            } else {
                out.append(names[i]).append('=').append(format(kinds[i], arguments[next++]));
            }
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
