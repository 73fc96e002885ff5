package io.warmpool.pagemap;

import io.warmpool.natives.NativeCallException;

/**
 * A scan failed. The message names the range, the scan mode and the native failure (call, arguments,
 * errno). The scanner that threw stays usable.
 */
public class PageScanException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    PageScanException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    static PageScanException of(ScanMode mode, long start, long end, NativeCallException cause) {
        return new PageScanException(mode.configName() + " scan of " + range(start, end) + " failed: "
                + cause.getMessage(), cause.errno(), cause);
    }

    static String range(long start, long end) {
        return "[0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + ")";
    }

    /** The errno of the failure. */
    public int errno() {
        return errno;
    }
}
