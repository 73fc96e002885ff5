package io.warmpool.pagemap;

/**
 * The pagemap descriptor describes a process that has exited ({@code ESRCH}): typically a forked
 * child scanning with the descriptor its parent opened, after the parent is gone. A child whose
 * parent is still alive would silently scan the parent instead, which is why the scanner's
 * descriptor is a fork-checked one.
 */
public class StalePagemapException extends PageScanException {
    private static final long serialVersionUID = 1L;

    StalePagemapException(String message, int errno, Throwable cause) {
        super(message, errno, cause);
    }
}
