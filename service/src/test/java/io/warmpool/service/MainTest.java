package io.warmpool.service;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.standard().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noArgumentsPrintsTheCommandsAndExitsTwo() {
        assertEquals(2, run());
        assertTrue(out().contains("usage: warmpool <command>") && out().contains("probe"), out());
    }

    @Test
    void helpExitsZeroForTheToolAndForEachCommand() {
        assertEquals(0, run("--help"));
        assertTrue(out().contains("commands:"), out());
        out.reset();
        assertEquals(0, run("probe", "--help"));
        assertTrue(out().startsWith("usage: warmpool probe [--json]"), out());
        out.reset();
        assertEquals(0, run("help", "probe"));
        assertTrue(out().startsWith("usage: warmpool probe"), out());
    }

    @Test
    void unknownCommandIsNamedAndExitsTwo() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err().contains("unknown command 'frobnicate'"), err());
    }

    @Test
    void unknownOptionIsNamedAndExitsTwo() {
        assertEquals(2, run("probe", "--verbose"));
        assertTrue(err().contains("unknown option --verbose"), err());
        err.reset();
        assertEquals(2, run("probe", "extra"));
        assertTrue(err().contains("unexpected argument 'extra'"), err());
        err.reset();
        assertEquals(2, run("probe", "--json=yes"));
        assertTrue(err().contains("--json takes no value"), err());
    }
}
