package io.warmpool.natives;

import com.sun.jna.Platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

/**
 * The system calls of every reset, bound with JNI to a C library of warmpool's own
 * ({@code src/main/c/warmpool_calls.c}, built by gcc into {@code libwarmpoolcalls.so} beside the
 * fork handlers' library) instead of JNA. Measured here (JDK 17, Linux 6.18): an empty JNA direct-mapped call costs about 50 ns and
 * the same through JNI 8 ns; a {@code PAGEMAP_SCAN} of 64 MiB costs 2.36 µs through JNA, 2.17 µs
 * through JNI, 2.11 µs from C. JNA's share is mostly the errno it saves after every call: here
 * the C side reads errno itself, right after a failed call.
 *
 * <pre>
 *  int ioctl(fd, request, argument)     result >= 0, or -errno
 *  int madvise(start, length, advice)   0, or -errno
 *  int mprotect(start, length, prot)    0, or -errno
 *  void memset(start, value, length)
 * </pre>
 *
 * Only {@link LinuxSyscalls} and {@link NativeMemory} call these, and they turn -errno into a
 * {@link NativeCallException}. The library is a resource, as JNA's libraries are: loaded in place
 * from a classes directory, or copied from the jar to a temporary file that is deleted once loaded.
 */
final class HotCalls {
    private static final String LIBRARY = Platform.RESOURCE_PREFIX + "/libwarmpoolcalls.so";

    static {
        load();
    }

    private HotCalls() {
    }

    static native int ioctl(int fd, long request, long argument);

    static native int madvise(long start, long length, int advice);

    static native int mprotect(long start, long length, int prot);

    static native void memset(long start, int value, long length);

    private static void load() {
        URL resource = HotCalls.class.getClassLoader().getResource(LIBRARY);
        if (resource == null) {
            throw new UnsatisfiedLinkError(LIBRARY + " is not on the class path (native-stubs builds it with gcc)");
        }
        try {
            if ("file".equals(resource.getProtocol())) {
                System.load(Paths.get(resource.toURI()).toString());
                return;
            }
            Path copy = Files.createTempFile("warmpoolcalls", ".so");
            try (InputStream in = resource.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                System.load(copy.toString());
            } finally {
                Files.deleteIfExists(copy); // the mapping stays
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + resource + " to a temporary file to load it", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot load " + resource, e);
        }
    }
}
