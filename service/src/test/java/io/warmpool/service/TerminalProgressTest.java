package io.warmpool.service;

import io.warmpool.bench.Workload;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TerminalProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private long now;
    private final Workload workload = new Workload(4096, 4096, 0, 1, 4096);

    private String drawn() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void nothingIsDrawnDuringTheFirstSecond() {
        TerminalProgress bar = new TerminalProgress(err, 100, () -> now);
        bar.started("auto", workload, 100);
        now = TerminalProgress.SHOW_AFTER_NANOS - 1;
        bar.advanced(50);
        bar.clear();
        assertEquals("", drawn());
    }

    @Test
    void afterASecondTheBarShowsTheShareDoneAndTheContender() {
        TerminalProgress bar = new TerminalProgress(err, 200, () -> now);
        bar.started("auto", workload, 200);
        now = TerminalProgress.SHOW_AFTER_NANOS;
        bar.advanced(50);
        assertTrue(drawn().startsWith("\r[########......................]  25%  auto  slot 4 KiB"), drawn());
        bar.advanced(50);
        assertEquals(1, drawn().split("\r").length - 1, "no redraw within a tenth of a second");
        now += 200_000_000L;
        bar.advanced(100);
        assertTrue(drawn().contains("100%"), drawn());
        bar.clear();
        assertTrue(drawn().endsWith("\r"), "the bar is erased");
    }

    @Test
    void cyclesATimeLimitCutOffCountAsDone() {
        TerminalProgress bar = new TerminalProgress(err, 200, () -> now);
        now = TerminalProgress.SHOW_AFTER_NANOS;
        bar.started("allocate-direct", workload, 100);
        bar.advanced(10);
        bar.finished("allocate-direct", 10);
        assertTrue(bar.line().startsWith("[###############...............]  50%"), bar.line());
    }
}
