package io.warmpool.natives;

import com.sun.jna.Platform;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The hot calls through JNI, to {@code src/main/c/warmpool_calls.c} built into
 * {@code libwarmpoolcalls.so}: about 8 ns a call over the C function, against about 50 ns for a
 * JNA direct-mapped call. The C side returns {@code -errno} itself, right after a failed call.
 *
 * <p>{@link #load} finds and loads the library and says why it could not; {@link HotCalls} decides
 * what to do about it. The library is a resource of this jar under JNA's platform prefix (as the
 * fork handlers' library is): loaded in place from a classes directory, or copied from a jar to a
 * temporary file that is deleted once loaded (the mapping stays).
 */
final class JniCalls implements HotCalls.Binding {
    /** The C library's {@code WP_CALLS_ABI}: a library of another build is not used. */
    static final int ABI = 2;
    /** The bundled library, as a class path resource. */
    static final String RESOURCE = Platform.RESOURCE_PREFIX + "/libwarmpoolcalls.so";
    /** The value of {@link HotCalls#LIBRARY_PROPERTY} that turns JNI off. */
    static final String NONE = "none";

    static native int abi();

    static native int ioctl0(int fd, long request, long argument);

    static native int ioctlWords0(int fd, long request, long[] words);

    static native int ioctlRange0(int fd, long request, long start, long length, long mode);

    static native int madvise0(long address, long length, int advice);

    static native int mprotect0(long address, long length, int prot);

    static native void memset0(long address, int value, long length);

    static native void memcpy0(long to, long from, long length);

    /**
     * Loads the library and checks it, once per class loader (loading it again is harmless).
     *
     * @param library the value of {@link HotCalls#LIBRARY_PROPERTY}: null for the bundled library,
     *                {@code none}, or the path of a library file
     * @return empty when the JNI functions are ready; otherwise why not
     */
    static Optional<String> load(String library) {
        String what;
        try {
            if (library == null) {
                what = "the bundled " + RESOURCE;
                loadBundled();
            } else if (NONE.equals(library.trim())) {
                return Optional.of("JNI turned off with -D" + HotCalls.LIBRARY_PROPERTY + "=" + NONE);
            } else {
                what = library + " (-D" + HotCalls.LIBRARY_PROPERTY + ")";
                System.load(Path.of(library).toAbsolutePath().toString());
            }
        } catch (LinkageError | IOException | URISyntaxException | RuntimeException e) {
            return Optional.of("cannot load the JNI library: " + e);
        }
        try {
            int abi = abi();
            if (abi != ABI) {
                return Optional.of(what + " is of another build (ABI " + abi + ", this jar expects " + ABI + ")");
            }
            linkAll();
        } catch (LinkageError e) {
            return Optional.of(what + " loaded but lacks warmpool's JNI functions: " + e);
        }
        return Optional.empty();
    }

    /**
     * Calls every native method once, harmlessly (a bad descriptor, no bytes): the JVM links a JNI
     * method on its first call, taking locks of its own, and a forked child, where only the forking
     * thread runs, must never be the one to link it.
     */
    private static void linkAll() {
        ioctl0(-1, 0, 0);
        ioctlWords0(-1, 0, new long[1]);
        ioctlRange0(-1, 0, 0, 0, 0);
        madvise0(0, 0, Mman.MADV_NORMAL);
        mprotect0(0, 0, Mman.PROT_NONE);
        memset0(0, 0, 0);
        memcpy0(0, 0, 0);
    }

    private static void loadBundled() throws IOException, URISyntaxException {
        URL resource = JniCalls.class.getClassLoader().getResource(RESOURCE);
        if (resource == null) {
            throw new IOException(RESOURCE + " is not on the class path (native-stubs builds it with gcc)");
        }
        if ("file".equals(resource.getProtocol())) {
            System.load(Path.of(resource.toURI()).toString());
            return;
        }
        Path copy = Files.createTempFile("warmpoolcalls", ".so");
        try (InputStream in = resource.openStream()) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            System.load(copy.toString());
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    @Override
    public String name() {
        return "jni";
    }

    @Override
    public int ioctl(int fd, long request, long argument) {
        return ioctl0(fd, request, argument);
    }

    @Override
    public int ioctlWords(int fd, long request, long[] words) {
        return ioctlWords0(fd, request, words);
    }

    @Override
    public int ioctlRange(int fd, long request, long start, long length, long mode) {
        return ioctlRange0(fd, request, start, length, mode);
    }

    @Override
    public int madvise(long address, long length, int advice) {
        return madvise0(address, length, advice);
    }

    @Override
    public int mprotect(long address, long length, int prot) {
        return mprotect0(address, length, prot);
    }

    @Override
    public void memset(long address, int value, long length) {
        memset0(address, value, length);
    }

    @Override
    public void memcpy(long to, long from, long length) {
        memcpy0(to, from, length);
    }
}
