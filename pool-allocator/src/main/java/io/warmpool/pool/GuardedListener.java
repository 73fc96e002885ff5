package io.warmpool.pool;

import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.AcquireKind;
import io.warmpool.pool.event.AcquireOutcome;
import io.warmpool.pool.event.Fallback;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.ResetRecord;
import io.warmpool.pool.profile.TenantProfile;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The listener a pool's own code calls: it records each acquired slot and each reset in the tenant
 * profile first, then tells the caller's listener, and whatever that listener throws stops here. The pool calls
 * listeners from the middle of an acquire or a release, between steps that must all happen (a slot
 * taken and handed out, a slot reset and freed): an exception that escaped would leave a slot taken
 * by nobody. So a listener's exception is counted ({@link #failures()}, in the pool's snapshot),
 * logged once per pool with its stack trace, and the pool goes on as if the call had returned.
 */
final class GuardedListener implements PoolListener {
    private final System.Logger log;
    private final TenantProfile profile;
    private final PoolListener listener;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicBoolean logged = new AtomicBoolean();

    /** @param log where the first failure is logged: the pool's logger */
    GuardedListener(TenantProfile profile, PoolListener listener, System.Logger log) {
        this.log = log;
        this.profile = profile;
        this.listener = listener;
    }

    /** How many times the caller's listener threw. */
    long failures() {
        return failures.get();
    }

    @Override
    public void acquired(SlotKind kind, AcquireKind result) {
        profile.acquired(kind, result);
        try {
            listener.acquired(kind, result);
        } catch (Throwable e) {
            failed("acquired", e);
        }
    }

    @Override
    public void instanceAcquired(AcquireOutcome outcome, long waitNanos) {
        try {
            listener.instanceAcquired(outcome, waitNanos);
        } catch (Throwable e) {
            failed("instanceAcquired", e);
        }
    }

    @Override
    public void reset(ResetRecord record) {
        profile.reset(record);
        try {
            listener.reset(record);
        } catch (Throwable e) {
            failed("reset", e);
        }
    }

    @Override
    public void fallback(SlotKind kind, Fallback reason, String detail) {
        try {
            listener.fallback(kind, reason, detail);
        } catch (Throwable e) {
            failed("fallback", e);
        }
    }

    @Override
    public void imageAcquired(boolean hit) {
        try {
            listener.imageAcquired(hit);
        } catch (Throwable e) {
            failed("imageAcquired", e);
        }
    }

    @Override
    public void imageRemapped(long unmappedBytes, long mappedBytes) {
        try {
            listener.imageRemapped(unmappedBytes, mappedBytes);
        } catch (Throwable e) {
            failed("imageRemapped", e);
        }
    }

    private void failed(String callback, Throwable e) {
        failures.incrementAndGet();
        if (logged.compareAndSet(false, true)) {
            log.log(Level.WARNING, "the pool listener " + listener.getClass().getName() + " threw from " + callback
                    + "; the pool went on (counted in PoolSnapshot.listenerFailures(); logged once per pool)", e);
        }
    }
}
