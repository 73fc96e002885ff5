package io.warmpool.fork;

/**
 * A descriptor was used by a process other than the one that opened it, and could not be made to
 * describe the using process: it cannot be reopened (a userfaultfd, a pidfd), or reopening it in the
 * child failed. Using it anyway would act on, or read, the other process.
 */
public class ForeignDescriptorException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    ForeignDescriptorException(String message) {
        super(message);
    }
}
