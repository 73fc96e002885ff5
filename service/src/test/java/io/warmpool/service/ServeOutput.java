package io.warmpool.service;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The output of a {@code warmpool serve} process (its standard error redirected into it), read into a
 * buffer line by line as it comes, on a daemon thread; and the metrics URL its banner prints.
 */
final class ServeOutput {
    private static final Pattern METRICS_URL = Pattern.compile("(?m)^  metrics +(http://\\S+/metrics) ");

    private final Process serve;
    private final StringBuffer text = new StringBuffer();
    private Thread reader;

    private ServeOutput(Process serve) {
        this.serve = serve;
    }

    /** Starts reading {@code serve}'s output. */
    static ServeOutput of(Process serve) {
        ServeOutput output = new ServeOutput(serve);
        output.reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.text.append(line).append('\n');
                }
            } catch (IOException e) {
                output.text.append("(reading the output failed: ").append(e).append(")\n");
            }
        }, "serve-output");
        output.reader.setDaemon(true);
        output.reader.start();
        return output;
    }

    /** The metrics URL of serve's banner; fails the test when serve exits, or prints none within {@code seconds}. */
    String awaitMetricsUrl(long seconds) throws InterruptedException {
        Matcher url = METRICS_URL.matcher("");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!url.reset(text).find()) {
            assertTrue(serve.isAlive(), "serve exited " + (serve.isAlive() ? "" : serve.exitValue()) + ":\n" + text);
            assertTrue(System.nanoTime() < deadline, "serve printed no metrics URL:\n" + text);
            Thread.sleep(50);
        }
        return url.group(1);
    }

    /** Waits up to {@code seconds} for the output to end (serve has exited), so that all of it is read. */
    void awaitEnd(long seconds) throws InterruptedException {
        reader.join(TimeUnit.SECONDS.toMillis(seconds));
    }

    /** What serve printed so far. */
    @Override
    public String toString() {
        return text.toString();
    }
}
