package io.warmpool.fork;

import io.warmpool.natives.Errno;
import io.warmpool.natives.Fcntl;
import io.warmpool.natives.ForkHandlers;
import io.warmpool.natives.NativeCallException;
import io.warmpool.natives.Syscalls;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The C registry of descriptors to reopen in a forked child: its limits and its errors. */
class ForkHandlersRegistryTest {
    private static final Syscalls OS = Syscalls.linux();

    @Test
    void registryRefusesDuplicatesLongPathsAndDescriptorsPastItsLimit() {
        int fd = OS.open("/dev/null", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        List<PidCheckedFd> opened = new ArrayList<>();
        try {
            ForkHandlers.registerReopen(fd, "/dev/null", Fcntl.O_RDONLY, true);
            NativeCallException duplicate = assertThrows(NativeCallException.class,
                    () -> ForkHandlers.registerReopen(fd, "/dev/null", Fcntl.O_RDONLY, true));
            assertTrue(duplicate.is(Errno.EEXIST), duplicate.getMessage());
            ForkHandlers.unregister(fd);
            assertTrue(assertThrows(NativeCallException.class, () -> ForkHandlers.unregister(fd)).is(Errno.ENOENT));

            NativeCallException tooLong = assertThrows(NativeCallException.class,
                    () -> ForkHandlers.registerReopen(fd, "/" + "x".repeat(300), Fcntl.O_RDONLY, true));
            assertTrue(tooLong.is(Errno.ENAMETOOLONG), tooLong.getMessage());
            assertTrue(assertThrows(NativeCallException.class,
                    () -> ForkHandlers.registerReopen(fd, "relative/path", Fcntl.O_RDONLY, true)).is(Errno.EINVAL));

            // The real limit is a million descriptors (more than a process may open by default):
            // lowered to 100 here, past the 64 of the static table, so the table grows once first.
            int before = ForkHandlers.registered();
            int previous = ForkHandlers.limitRegistryForTests(100);
            NativeCallException full;
            try {
                full = assertThrows(NativeCallException.class, () -> {
                    for (int i = 0; i < 200; i++) {
                        opened.add(PidCheckedFd.open(OS, "/dev/null", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC));
                    }
                });
            } finally {
                ForkHandlers.limitRegistryForTests(previous);
            }
            assertTrue(full.is(Errno.ENOSPC), full.getMessage());
            assertTrue(full.getMessage().startsWith("wp_register_fd(fd="), full.getMessage());
            assertEquals(100, before + opened.size(), "registered " + opened.size() + " after " + before);
            assertEquals(100, ForkHandlers.registered());
            assertTrue(assertThrows(NativeCallException.class, () -> ForkHandlers.limitRegistryForTests(63))
                    .is(Errno.EINVAL));
        } finally {
            opened.forEach(PidCheckedFd::close);
            OS.close(fd);
        }
        // Closing forgot them: the registry takes new descriptors again.
        assertTrue(ForkHandlers.registered() <= 100 - opened.size(), "registered " + ForkHandlers.registered());
        PidCheckedFd again = PidCheckedFd.open(OS, "/dev/null", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC);
        again.close();
        again.close();
        assertThrows(IllegalStateException.class, again::fd);
    }
}
