package io.warmpool.service;

import io.warmpool.natives.Syscalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbeCommandTest {
    private static ProbeCommand.Report report;

    @BeforeAll
    static void probeOnce() {
        report = ProbeCommand.probe(Syscalls.linux());
    }

    @Test
    void thisKernelOffersEveryFeatureAndTheCostsArePlausible() {
        assertTrue(report.pagemap().pagemapScan(), report.pagemap().detail());
        assertTrue(report.uffdWpAsync().present(), report.uffdWpAsync().detail());
        assertTrue(report.processMadvise().present(), report.processMadvise().detail());
        HostCosts c = report.costs();
        assertTrue(c.faultNanos() > 0 && c.zeroNanos() > 0 && c.decommitNanos() > 0, c.toString());
        assertTrue(c.faultNanos() > c.zeroNanos(), "a fault also zeroes the page, so it costs more: " + c);
        assertTrue(report.writeFaultNanos() > 0, "the first write to a write-protected page: " + report.writeFaultNanos());
        assertEquals("jni", report.callBinding());
        assertEquals(null, report.callFallback());
    }

    @Test
    void textNamesEveryFeatureAndCost() {
        String text = ProbeCommand.text(report);
        for (String label : new String[] {"kernel", "page size", "reset calls", "PAGEMAP_SCAN", "uffd WP async",
                "process_madvise", "huge pages", "page fault", "WP fault", "zeroing", "madvise"}) {
            assertTrue(Pattern.compile("(?m)^  " + Pattern.quote(label) + " +\\S").matcher(text).find(), label + " in\n" + text);
        }
        assertTrue(text.contains("PAGEMAP_SCAN      yes  categories WPALLOWED|WRITTEN|FILE|PRESENT|SWAPPED"), text);
        assertTrue(text.contains("reset calls       jni  "), text);
        assertTrue(text.contains("uffd WP async     yes  userfaultfd write-protect (async) tracks written pages"), text);
    }

    @Test
    void jsonHasEveryKeyWithTheRightType() {
        String json = ProbeCommand.json(report);
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        assertTrue(json.matches(".*\"kernel\":\"[^\"]+\".*"), json);
        assertTrue(json.contains("\"page_size\":" + Syscalls.linux().pageSize()), json);
        assertTrue(json.contains("\"pagemap_scan\":{\"supported\":true,\"categories\":[\"WPALLOWED\""), json);
        assertTrue(json.contains("\"userfaultfd_wp_async\":{\"supported\":true"), json);
        assertTrue(json.contains("\"reset_calls\":{\"binding\":\"jni\",\"fallback_reason\":null}"), json);
        assertTrue(json.contains("\"process_madvise\":{\"supported\":true"), json);
        for (String cost : new String[] {"page_fault", "write_protect_fault", "zero", "madvise_dontneed"}) {
            Matcher m = Pattern.compile("\"" + cost + "\":([0-9.]+)").matcher(json);
            assertTrue(m.find(), cost + " in " + json);
            assertTrue(Double.parseDouble(m.group(1)) > 0, cost);
        }
    }

    @Test
    void jsonEscapesQuotesBackslashesAndControlCharacters() {
        assertEquals("{\"a\":\"x\\\"y\\\\z\\n\\u0001\"}", new Json().begin(null).field("a", "x\"y\\z\n\u0001").end().toString());
    }
}
