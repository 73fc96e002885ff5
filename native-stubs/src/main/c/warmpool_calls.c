/*
 * The reset's hot calls as JNI functions: what every reset calls, bound without JNA.
 *
 *   Java (io.warmpool.natives.JniCalls)                  here           returns
 *   -----------------------------------                  ----           -------
 *   static native int abi()                              -              WP_CALLS_ABI: the Java side
 *                                                                       checks it, so a library of
 *                                                                       another build is refused
 *   static native int ioctl0(fd, request, argument)       ioctl(2)       result >= 0, or -errno
 *   static native int ioctlWords0(fd, request, long[])    ioctl(2)       the same; the array is the
 *                                                                       struct (u64 words), copied
 *                                                                       to the stack and back
 *   static native int ioctlRange0(fd, request, start,     ioctl(2)       the same, for the structs that
 *                                 length, mode)                         begin with a uffdio_range:
 *                                                                       built here, nothing allocated
 *   static native int madvise0(start, length, advice)     madvise(2)     0, or -errno
 *   static native int mprotect0(start, length, prot)      mprotect(2)    0, or -errno
 *   static native void memset0(start, value, length)      memset(3)
 *   static native void memcpy0(to, from, length)          memcpy(3)
 *
 * Built into libwarmpoolcalls.so, not into the fork handlers' library: JNA loads that one (from a
 * jar, JNA copies it to a temporary file and deletes it, so the JVM could not System.load the same
 * file), and a JNI library is bound to the class loader that loaded it.
 *
 * errno is read here, right after a failed call, and returned negated: Java needs no per-thread
 * errno bookkeeping (JNA saves errno after every call; that is most of what it costs over JNI).
 * Nothing here allocates, takes a lock or calls back into Java, so these run as well in a forked
 * child as anywhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jni.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

/* Bumped whenever a signature here changes; JniCalls.ABI must match. */
#define WP_CALLS_ABI 2
/* The largest struct ioctlWords passes: the uffdio structs are 2 to 4 words. */
#define WP_MAX_WORDS 8

static void *address(jlong value) { return (void *) (uintptr_t) value; }

JNIEXPORT jint JNICALL Java_io_warmpool_natives_JniCalls_abi(JNIEnv *env, jclass type) {
    (void) env;
    (void) type;
    return WP_CALLS_ABI;
}

JNIEXPORT jint JNICALL Java_io_warmpool_natives_JniCalls_ioctl0(JNIEnv *env, jclass type, jint fd, jlong request,
                                                              jlong argument) {
    (void) env;
    (void) type;
    int result = ioctl(fd, (unsigned long) request, address(argument));
    return result < 0 ? -errno : result;
}

JNIEXPORT jint JNICALL Java_io_warmpool_natives_JniCalls_ioctlWords0(JNIEnv *env, jclass type, jint fd, jlong request,
                                                                   jlongArray words) {
    (void) type;
    jsize count = (*env)->GetArrayLength(env, words);
    if (count < 1 || count > WP_MAX_WORDS) {
        return -E2BIG;
    }
    uint64_t data[WP_MAX_WORDS];
    (*env)->GetLongArrayRegion(env, words, 0, count, (jlong *) data);
    int result = ioctl(fd, (unsigned long) request, data);
    int error = errno;
    (*env)->SetLongArrayRegion(env, words, 0, count, (const jlong *) data);
    return result < 0 ? -error : result;
}

JNIEXPORT jint JNICALL Java_io_warmpool_natives_JniCalls_ioctlRange0(JNIEnv *env, jclass type, jint fd, jlong request,
                                                                    jlong start, jlong length, jlong mode) {
    (void) env;
    (void) type;
    /* struct uffdio_range {start, len}, optionally followed by a mode (uffdio_writeprotect): the
     * kernel reads as many bytes as the request's size says. */
    uint64_t data[3] = {(uint64_t) start, (uint64_t) length, (uint64_t) mode};
    int result = ioctl(fd, (unsigned long) request, data);
    return result < 0 ? -errno : result;
}

JNIEXPORT jint JNICALL Java_io_warmpool_natives_JniCalls_madvise0(JNIEnv *env, jclass type, jlong start, jlong length,
                                                                jint advice) {
    (void) env;
    (void) type;
    return madvise(address(start), (size_t) length, advice) != 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL Java_io_warmpool_natives_JniCalls_mprotect0(JNIEnv *env, jclass type, jlong start, jlong length,
                                                                 jint prot) {
    (void) env;
    (void) type;
    return mprotect(address(start), (size_t) length, prot) != 0 ? -errno : 0;
}

JNIEXPORT void JNICALL Java_io_warmpool_natives_JniCalls_memset0(JNIEnv *env, jclass type, jlong start, jint value,
                                                               jlong length) {
    (void) env;
    (void) type;
    if (length > 0) {
        memset(address(start), value, (size_t) length);
    }
}

JNIEXPORT void JNICALL Java_io_warmpool_natives_JniCalls_memcpy0(JNIEnv *env, jclass type, jlong to, jlong from,
                                                               jlong length) {
    (void) env;
    (void) type;
    if (length > 0) {
        memcpy(address(to), address(from), (size_t) length);
    }
}
