package io.warmpool.metrics;

/**
 * Whether the process behind a {@link MetricsServer} is ready for work, as {@code /-/ready}
 * answers it: 200 when ready, 503 with the reason when not. Its owner moves it (starting, ready,
 * draining); any thread may read it.
 */
public final class Readiness {
    private volatile String notReadyReason;

    private Readiness(String notReadyReason) {
        this.notReadyReason = notReadyReason;
    }

    /** Not ready for {@code reason} until {@link #markReady()}. */
    public static Readiness notYet(String reason) {
        return new Readiness(checkReason(reason));
    }

    /** Ready from the start: for a server whose process has nothing to wait for. */
    public static Readiness always() {
        return new Readiness(null);
    }

    /** Ready from now on. */
    public void markReady() {
        notReadyReason = null;
    }

    /** Not ready from now on, for {@code reason} ("draining: SIGTERM"). */
    public void markNotReady(String reason) {
        notReadyReason = checkReason(reason);
    }

    /** Whether it is ready now. */
    public boolean isReady() {
        return notReadyReason == null;
    }

    /** Why it is not ready, or null when it is. */
    public String reason() {
        return notReadyReason;
    }

    private static String checkReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a reason for not being ready is needed");
        }
        return reason;
    }
}
