package io.warmpool.service;

import io.warmpool.pool.SlotKind;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TuneCommandTest {

    private static String refusal(String... args) {
        return assertThrows(UsageException.class, () -> TuneCommand.parse(List.of(args))).getMessage();
    }

    @Test
    void aProfileIsAllItNeeds() {
        TuneCommand.Request r = TuneCommand.parse(List.of("--profile", "p.prom"));
        assertEquals(Path.of("p.prom"), r.profile());
        assertEquals(1L << 30, r.rssBudget());
        assertEquals(SlotKind.MEMORY, r.kind());
        assertNull(r.keepResident());
        assertNull(r.warmSlots());
    }

    @Test
    void sweepsBudgetAndKindCanBeGiven() {
        TuneCommand.Request r = TuneCommand.parse(List.of("--profile", "p", "--rss-budget", "64MiB", "--kind", "stack",
                "--keep-resident-bytes", "0,64KiB", "--warm-slots", "0,8", "--plot", "t.svg"));
        assertEquals(64L << 20, r.rssBudget());
        assertEquals(SlotKind.STACK, r.kind());
        assertEquals(List.of(0L, 65536L), r.keepResident());
        assertEquals(List.of(0, 8), r.warmSlots());
        assertEquals(Path.of("t.svg"), r.plot());
    }

    @Test
    void whatIsMissingOrWrongIsNamed() {
        assertTrue(refusal().contains("--profile FILE is required"));
        assertTrue(refusal("--from", "http://localhost:9400/metrics").contains("--from needs the service's metrics endpoint"));
        assertTrue(refusal("--profile", "p", "--kind", "heap").contains("--kind = 'heap'"));
        assertTrue(refusal("--profile", "p", "--warm-slots", "-1").contains("--warm-slots: '-1'"));
        assertTrue(refusal("--profile", "p", "--rss-budget", "lots").contains("--rss-budget: 'lots' is not a byte size"));
    }

    @Test
    void aMissingProfileFileIsNamed() {
        UsageException e = assertThrows(UsageException.class,
                () -> new TuneCommand().run(List.of("--profile", "/nonexistent/p.prom"), System.out, System.err));
        assertTrue(e.getMessage().contains("/nonexistent/p.prom: no such file"), e.getMessage());
    }
}
