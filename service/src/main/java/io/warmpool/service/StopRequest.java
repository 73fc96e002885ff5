package io.warmpool.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Why and when a long-running command should stop: SIGTERM, SIGINT (Ctrl-C) or SIGHUP, the end of
 * its run time, or a failure. The first request wins and wakes {@link #await}; the command then
 * drains and exits 0. A second signal while it drains ends the process at once, with the status
 * a shell expects of that signal (128 + its number).
 *
 * <p>The handlers are the JDK's ({@code sun.misc.Signal}): unlike a shutdown hook they let the
 * command finish its own shutdown and choose its exit status. A signal the process inherited as
 * ignored ({@code nohup}, a background job's SIGINT) stays ignored; with {@code -Xrs} the JVM keeps
 * the signals to itself, and they end the process without a drain.
 */
final class StopRequest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StopRequest.class);
    private static final String[] SIGNALS = {"TERM", "INT", "HUP"};

    private final CountDownLatch requested = new CountDownLatch(1);
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private volatile String reason;

    /** A request that only {@link #request} makes. */
    StopRequest() {
    }

    /** A request that SIGTERM, SIGINT and SIGHUP make too; a second signal halts, after a log line that says so. */
    static StopRequest onSignals() {
        StopRequest stop = new StopRequest();
        for (String name : SIGNALS) {
            Signal signal = new Signal(name);
            try {
                stop.previous.put(signal, Signal.handle(signal, s -> {
                    if (!stop.request("SIG" + s.getName())) {
                        LOG.warn("SIG{} again while draining: exiting at once", s.getName());
                        Runtime.getRuntime().halt(128 + s.getNumber());
                    }
                }));
            } catch (IllegalArgumentException reservedByTheVm) {
                LOG.warn("cannot handle SIG{} ({}); it ends the process without a drain", name,
                        reservedByTheVm.getMessage());
            }
        }
        return stop;
    }

    /**
     * Asks to stop for {@code why}.
     *
     * @return whether this was the first request
     */
    synchronized boolean request(String why) {
        if (reason != null) {
            return false;
        }
        reason = why;
        requested.countDown();
        return true;
    }

    /** Waits up to {@code timeout} for a request; returns whether there is one. */
    boolean await(Duration timeout) throws InterruptedException {
        return requested.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    /** Why the stop was asked for, or null. */
    String reason() {
        return reason;
    }

    /** Gives the signals back to the handlers they had. */
    @Override
    public void close() {
        previous.forEach(Signal::handle);
        previous.clear();
    }
}
