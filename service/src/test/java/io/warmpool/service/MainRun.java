package io.warmpool.service;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The {@code warmpool} command line run in this JVM ({@link Main#standard()}), with what it prints kept. */
final class MainRun {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Runs {@code warmpool args...}: its exit status; what it prints is added to what is kept. */
    int run(String... args) {
        return Main.standard().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** What the runs printed to standard output. */
    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** What the runs printed to standard error. */
    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Forgets what was printed. */
    void reset() {
        out.reset();
        err.reset();
    }
}
