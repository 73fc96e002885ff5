package io.warmpool.natives;

/**
 * A native call failed. The message names the call, its arguments (addresses, lengths and flags in
 * hexadecimal), the errno number and its symbolic name, for example:
 *
 * <pre>
 * madvise(address=0x7f3c00000000, length=0x2000, advice=MADV_DONTNEED) failed: errno 22 EINVAL (Invalid argument)
 * </pre>
 */
public class NativeCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Call call;
    private final String invocation;
    private final int errno;

    /**
     * @param call       the call that failed
     * @param invocation the call with its arguments, as {@link Call#describe} prints it
     * @param errno      the error number the call left
     */
    public NativeCallException(Call call, String invocation, int errno) {
        super(invocation + " failed: errno " + errno + " " + Errno.nameOf(errno) + describe(errno));
        this.call = call;
        this.invocation = invocation;
        this.errno = errno;
    }

    private static String describe(int errno) {
        try {
            return " (" + Errno.of(errno).description() + ")";
        } catch (IllegalArgumentException unknown) {
            return "";
        }
    }

    /** The call that failed. */
    public Call call() {
        return call;
    }

    /** The call with its arguments, as C would read it. */
    public String invocation() {
        return invocation;
    }

    /** The error number. */
    public int errno() {
        return errno;
    }

    /** The symbolic name of the error, such as {@code "ENOTTY"}. */
    public String errnoName() {
        return Errno.nameOf(errno);
    }

    /** Whether the call failed with this error. */
    public boolean is(Errno error) {
        return error.is(errno);
    }
}
