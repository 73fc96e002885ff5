package io.warmpool.service;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WastCommandTest {
    private final MainRun cli = new MainRun();

    private List<String> lines() {
        return cli.out().strip().lines().toList();
    }

    private static Path script(String name, String text) throws IOException {
        Path file = Files.createTempDirectory("wast-command").resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static final String GUEST = """
            (module
              (memory 1)
              (data (i32.const 8) "\\07")
              (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))
            """;

    @Test
    void passingScriptsPrintALinePerFileThenTheTotalsAndExitZero() throws IOException {
        Path a = script("a.wast", GUEST + "(assert_return (invoke \"load\" (i32.const 8)) (i32.const 7))\n");
        Path b = script("b.wast", GUEST + "(assert_trap (invoke \"load\" (i32.const 65536)) \"out of bounds memory access\")\n");
        assertEquals(0, cli.run("wast", "--strategy", "madvise-all", a.toString(), b.toString()), cli.err());
        assertEquals(List.of("a.wast: 2 passed, 0 failed", "b.wast: 2 passed, 0 failed", "4 passed, 0 failed"), lines());
    }

    @Test
    void aFailureNamesTheFileTheLineAndWhatCameAndExitsOne() throws IOException {
        Path a = script("wrong.wast", GUEST + "(assert_return (invoke \"load\" (i32.const 8)) (i32.const 8))\n");
        assertEquals(1, cli.run("wast", "--memory", "chicory", a.toString()));
        assertEquals(List.of("wrong.wast: 1 passed, 1 failed",
                "  FAIL wrong.wast:5: assert_return: invoke load(i32:8): expected [i32:8], got [i32:7]",
                "1 passed, 1 failed"), lines());
    }

    @Test
    void aBadCommandLineExitsTwo() {
        assertEquals(2, cli.run("wast"));
        assertEquals(2, cli.run("wast", "--strategy", "no-such", "x.wast"));
        assertTrue(cli.err().contains("madvise-all"), cli.err());
        assertEquals(2, cli.run("wast", "--memory", "chicory", "--strategy", "auto", "x.wast"));
    }
}
