package io.warmpool.service;

import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    private final MainRun cli = new MainRun();

    @Test
    void noArgumentsPrintsTheCommandsAndExitsTwo() {
        assertEquals(2, cli.run());
        assertTrue(cli.out().contains("usage: warmpool <command>") && cli.out().contains("probe"), cli.out());
    }

    @Test
    void helpExitsZeroForTheToolAndForEachCommand() {
        assertEquals(0, cli.run("--help"));
        assertTrue(cli.out().contains("commands:"), cli.out());
        cli.reset();
        assertEquals(0, cli.run("probe", "--help"));
        assertTrue(cli.out().startsWith("usage: warmpool probe [--json]"), cli.out());
        cli.reset();
        assertEquals(0, cli.run("help", "probe"));
        assertTrue(cli.out().startsWith("usage: warmpool probe"), cli.out());
    }

    @Test
    void unknownCommandIsNamedAndExitsTwo() {
        assertEquals(2, cli.run("frobnicate"));
        assertTrue(cli.err().contains("unknown command 'frobnicate'"), cli.err());
    }

    @Test
    void unknownOptionIsNamedAndExitsTwo() {
        assertEquals(2, cli.run("probe", "--verbose"));
        assertTrue(cli.err().contains("unknown option --verbose"), cli.err());
        cli.reset();
        assertEquals(2, cli.run("probe", "extra"));
        assertTrue(cli.err().contains("unexpected argument 'extra'"), cli.err());
        cli.reset();
        assertEquals(2, cli.run("probe", "--json=yes"));
        assertTrue(cli.err().contains("--json takes no value"), cli.err());
    }
}
