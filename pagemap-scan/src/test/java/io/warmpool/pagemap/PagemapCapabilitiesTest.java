package io.warmpool.pagemap;

import io.warmpool.natives.Call;
import io.warmpool.natives.Errno;
import io.warmpool.natives.Syscalls;
import io.warmpool.natives.testing.FaultInjectingSyscalls;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PagemapCapabilitiesTest {

    @Test
    void thisKernelHasPagemapScanWithTheSixPointSevenCategoriesAndRefusesUnknownBits() {
        PagemapCapabilities capabilities = PagemapCapabilities.get();
        assertTrue(capabilities.pagemapScan(), capabilities.detail());
        long sixPointSeven = PageCategory.WPALLOWED | PageCategory.WRITTEN | PageCategory.FILE | PageCategory.PRESENT
                | PageCategory.SWAPPED | PageCategory.PFNZERO | PageCategory.HUGE;
        assertTrue(capabilities.accepts(sixPointSeven), PageCategory.names(capabilities.acceptedCategories()));
        assertTrue(capabilities.accepts(ScanSelection.DIRTY.categoriesUsed()));
        assertFalse(capabilities.accepts(1L << 31), "bit 31 is no category in any kernel yet");
        assertEquals(0, capabilities.acceptedCategories() >>> PageCategory.KNOWN_BITS,
                "the kernel accepts no bit beyond the ones warmpool knows: " + capabilities.detail());
        assertSame(capabilities, PagemapCapabilities.get(), "probed once");
    }

    @Test
    void enottyMeansNoPagemapScanAndSaysWhichKernelIsNeeded() {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(Syscalls.linux());
        faults.failAlways(Call.IOCTL, Errno.ENOTTY);
        PagemapCapabilities capabilities = PagemapCapabilities.probe(faults);
        assertFalse(capabilities.pagemapScan());
        assertEquals(0, capabilities.acceptedCategories());
        assertTrue(capabilities.detail().contains("6.7"), capabilities.detail());
    }

    @Test
    void unreadablePagemapIsReportedWithTheReason() {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(Syscalls.linux());
        faults.failAlways(Call.OPEN, Errno.EACCES);
        PagemapCapabilities capabilities = PagemapCapabilities.probe(faults);
        assertFalse(capabilities.pagemapScan());
        assertTrue(capabilities.detail().contains("EACCES"), capabilities.detail());
    }

    @Test
    void scanModesParseFromTheirConfigurationNamesAndRejectOthersByName() {
        assertEquals(ScanMode.PAGEMAP_READ, ScanMode.fromConfigName(" Pagemap-Read "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScanMode.fromConfigName("fast"));
        assertEquals("unknown scan mode 'fast'; expected one of auto, pagemap-scan, pagemap-read, none", e.getMessage());
    }
}
