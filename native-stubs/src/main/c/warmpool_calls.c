/*
 * warmpool's hot system calls as JNI functions: the calls every reset makes, bound without JNA.
 *
 *   Java (io.warmpool.natives.HotCalls)          here                        cost of the call itself
 *   -----------------------------------          ----                        -----------------------
 *   static native int ioctl(fd, request, arg)    ioctl(2)                    JNI: about 8 ns
 *   static native int madvise(addr, len, adv)    madvise(2)                  JNA direct mapping: about
 *   static native int mprotect(addr, len, prot)  mprotect(2)                 50 ns, and 150 ns more for
 *   static native void memset(addr, value, len)  memset(3)                   a PAGEMAP_SCAN ioctl
 *
 * Built into libwarmpoolcalls.so, not into the fork handlers' library, which JNA loads (from the
 * jar, JNA copies a library to a temporary file and deletes it, so JNI cannot load the same file).
 * Each call returns its result, or -errno when it failed: errno is read here, right after the call,
 * so Java needs no per-thread errno bookkeeping (JNA saves errno after every call; that is most of
 * its cost). The Java side turns a negative result into a NativeCallException naming the
 * call, its arguments and the errno. Nothing here allocates, blocks on a lock or calls back into
 * Java, so these run as well in a forked child as anywhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jni.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

static void *address(jlong value) { return (void *) (uintptr_t) value; }

JNIEXPORT jint JNICALL Java_io_warmpool_natives_HotCalls_ioctl(JNIEnv *env, jclass type, jint fd, jlong request,
                                                              jlong argument) {
    (void) env;
    (void) type;
    int result = ioctl(fd, (unsigned long) request, address(argument));
    return result < 0 ? -errno : result;
}

JNIEXPORT jint JNICALL Java_io_warmpool_natives_HotCalls_madvise(JNIEnv *env, jclass type, jlong start, jlong length,
                                                                jint advice) {
    (void) env;
    (void) type;
    return madvise(address(start), (size_t) length, advice) != 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL Java_io_warmpool_natives_HotCalls_mprotect(JNIEnv *env, jclass type, jlong start, jlong length,
                                                                 jint prot) {
    (void) env;
    (void) type;
    return mprotect(address(start), (size_t) length, prot) != 0 ? -errno : 0;
}

JNIEXPORT void JNICALL Java_io_warmpool_natives_HotCalls_memset(JNIEnv *env, jclass type, jlong start, jint value,
                                                               jlong length) {
    (void) env;
    (void) type;
    memset(address(start), value, (size_t) length);
}
