package io.warmpool.pagemap;

import io.warmpool.fork.PidCheckedFd;
import io.warmpool.natives.Call;
import io.warmpool.natives.Errno;
import io.warmpool.natives.Fcntl;
import io.warmpool.natives.WaitStatus;
import io.warmpool.natives.testing.FaultInjectingSyscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static io.warmpool.pagemap.TestMapping.OS;
import static io.warmpool.pagemap.TestMapping.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input and native failures: each gives the documented error, and the scanner keeps working. */
class ScannerErrorsTest {

    private static void assertStillScans(PagemapScanner scanner) {
        try (TestMapping m = new TestMapping(8)) {
            m.write(5);
            Regions regions = new Regions();
            scanner.scan(m.base, m.end(), 0, regions);
            assertEquals(List.of(new Regions.Region(m.at(5), m.at(6), PageCategory.PRESENT)), regions.list);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void badRangesGiveTheDocumentedErrorsAndTheScannerStaysUsable(ScanMode mode) {
        try (PagemapScanner scanner = PagemapScanner.open(mode).orElseThrow(); TestMapping m = new TestMapping(4)) {
            IllegalArgumentException unaligned = assertThrows(IllegalArgumentException.class,
                    () -> scanner.scan(m.base + 1, m.end(), 0, new Regions()));
            assertTrue(unaligned.getMessage().contains("not aligned"), unaligned.getMessage());
            assertStillScans(scanner);

            IllegalArgumentException backwards = assertThrows(IllegalArgumentException.class,
                    () -> scanner.scan(m.at(2), m.at(1), 0, new Regions()));
            assertTrue(backwards.getMessage().contains("before its start"), backwards.getMessage());
            assertStillScans(scanner);

            Regions nothing = new Regions();
            assertEquals(0x20000, scanner.scan(0x10000, 0x20000, 0, nothing), "no mapping there: nothing to report");
            assertEquals(List.of(), nothing.list);
            assertStillScans(scanner);

            PageScanException beyond = assertThrows(PageScanException.class,
                    () -> scanner.scan(0x7ffffffff000L, 0x800000001000L, 0, new Regions()));
            assertEquals(Errno.EFAULT.number(), beyond.errno(), beyond.getMessage());
            assertTrue(beyond.getMessage().contains("[0x7ffffffff000, 0x800000001000)"), beyond.getMessage());
            assertStillScans(scanner);

            assertThrows(IllegalArgumentException.class, () -> scanner.scan(m.base, m.end(), -1, new Regions()));
            assertStillScans(scanner);
        }
    }

    /**
     * Found by ScannerFuzzTest: pread computed a negative pagemap offset for an address in the
     * kernel's half (EINVAL where the ioctl says EFAULT), and an end in the last page of the address
     * space rounded up to 0, so that a scan from a low address returned at once, reporting nothing.
     */
    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void theKernelsHalfIsEfaultAndAnEndThatWouldWrapIsRefused(ScanMode mode) {
        try (PagemapScanner scanner = PagemapScanner.open(mode).orElseThrow(); TestMapping m = new TestMapping(4)) {
            PageScanException kernel = assertThrows(PageScanException.class,
                    () -> scanner.scan(0xffff800000000000L, 0xffff80000000c000L, 0, new Regions()));
            assertEquals(Errno.EFAULT.number(), kernel.errno(), kernel.getMessage());
            assertTrue(kernel.getMessage().contains("[0xffff800000000000, 0xffff80000000c000)"), kernel.getMessage());
            assertStillScans(scanner);

            m.write(1);
            IllegalArgumentException wraps = assertThrows(IllegalArgumentException.class,
                    () -> scanner.scan(m.base, -1L, 0, new Regions()));
            assertTrue(wraps.getMessage().contains("rounds up past the top of the address space"), wraps.getMessage());
            assertStillScans(scanner);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void closedDescriptorIsEbadfNamingTheRange(ScanMode mode) {
        // The kernel hands out the lowest free number, so a closed number far above the open ones
        // stays closed while the test runs. A low one can be taken by another thread's open between
        // the close and the scan (seen here: the scan then read some other file and failed EFAULT).
        int real = OS.open("/proc/self/pagemap", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        int number = OS.fcntl(real, Fcntl.F_DUPFD_CLOEXEC, 900);
        OS.close(real);
        OS.close(number);
        PidCheckedFd fd = PidCheckedFd.adopt(OS, number, "a closed pagemap descriptor");
        PagemapScanner scanner = new PagemapScanner(OS, mode, fd, mode == ScanMode.PAGEMAP_SCAN, 16);
        try (TestMapping m = new TestMapping(4)) {
            PageScanException e = assertThrows(PageScanException.class, () -> scanner.scan(m.base, m.end(), 0, new Regions()));
            assertEquals(Errno.EBADF.number(), e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("[0x" + Long.toHexString(m.base)), e.getMessage());
            assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void descriptorOfAProcessThatExitedIsStale(ScanMode mode) {
        int child = OS.fork();
        if (child == 0) {
            while (true) {
                Thread.onSpinWait();
            }
        }
        PidCheckedFd theirs = PidCheckedFd.open(OS, "/proc/" + child + "/pagemap", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC);
        OS.kill(child, Fcntl.SIGKILL);
        WaitStatus status = OS.waitpid(child, 0);
        assertTrue(status.signaled(), status.toString());
        try (PagemapScanner scanner = new PagemapScanner(OS, mode, theirs, mode == ScanMode.PAGEMAP_SCAN, 16);
             TestMapping m = new TestMapping(4)) {
            StalePagemapException e = assertThrows(StalePagemapException.class,
                    () -> scanner.scan(m.base, m.end(), 0, new Regions()));
            assertEquals(Errno.ESRCH.number(), e.errno());
            assertTrue(e.getMessage().contains("has exited"), e.getMessage());
        }
    }

    @Test
    void enottyInAutoModeFallsBackToPreadOnceAndLosesNoRegion() {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(OS);
        try (PagemapScanner scanner = PagemapScanner.open(ScanMode.AUTO, faults).orElseThrow();
             TestMapping m = new TestMapping(16)) {
            assertEquals(ScanMode.PAGEMAP_SCAN, scanner.mode());
            m.write(2);
            m.write(9);
            faults.failNth(Call.IOCTL, 1, Errno.ENOTTY);
            Regions regions = new Regions();
            scanner.scan(m.base, m.end(), 0, regions);
            assertEquals(List.of(new Regions.Region(m.at(2), m.at(3), PageCategory.PRESENT),
                    new Regions.Region(m.at(9), m.at(10), PageCategory.PRESENT)), regions.list);
            assertEquals(ScanMode.PAGEMAP_READ, scanner.mode());
            assertEquals(ScanMode.AUTO, scanner.requestedMode());
            assertEquals(1, scanner.fallbacks());
            assertTrue(scanner.fallbackReason().contains("ENOTTY"), scanner.fallbackReason());

            long ioctls = faults.invocations(Call.IOCTL);
            assertEquals(2, scanner.countPages(m.base, m.end(), ScanSelection.DIRTY));
            assertEquals(ioctls, faults.invocations(Call.IOCTL), "the fallback is for good");
            assertEquals(1, scanner.fallbacks());
        }
    }

    @Test
    void enottyWhenPagemapScanWasAskedForIsAnErrorNotAFallback() {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(OS);
        try (PagemapScanner scanner = PagemapScanner.open(ScanMode.PAGEMAP_SCAN, faults).orElseThrow();
             TestMapping m = new TestMapping(4)) {
            faults.failNth(Call.IOCTL, 1, Errno.ENOTTY);
            PageScanException e = assertThrows(PageScanException.class, () -> scanner.scan(m.base, m.end(), 0, new Regions()));
            assertEquals(Errno.ENOTTY.number(), e.errno());
            assertEquals(0, scanner.fallbacks());
            assertStillScans(scanner);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void esrchFromTheKernelBecomesAStalePagemapException(ScanMode mode) {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(OS);
        try (PagemapScanner scanner = PagemapScanner.open(mode, faults).orElseThrow(); TestMapping m = new TestMapping(4)) {
            faults.failNth(mode == ScanMode.PAGEMAP_SCAN ? Call.IOCTL : Call.PREAD, 1, Errno.ESRCH);
            assertThrows(StalePagemapException.class, () -> scanner.scan(m.base, m.end(), 0, new Regions()));
            assertStillScans(scanner);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScanMode.class, names = {"PAGEMAP_SCAN", "PAGEMAP_READ"})
    void truncatedKernelAnswersAreResumedToTheSameRegions(ScanMode mode) {
        FaultInjectingSyscalls faults = new FaultInjectingSyscalls(OS);
        try (PagemapScanner scanner = PagemapScanner.open(mode, faults).orElseThrow(); TestMapping m = new TestMapping(64)) {
            for (long p = 0; p + 1 < 64; p += 3) {
                m.write(p);
                m.write(p + 1);
            }
            Regions whole = new Regions();
            scanner.scan(m.base, m.end(), 0, whole);
            faults.truncate(mode == ScanMode.PAGEMAP_SCAN ? Call.IOCTL : Call.PREAD, mode == ScanMode.PAGEMAP_SCAN ? 1 : 24);
            long before = faults.invocations(mode == ScanMode.PAGEMAP_SCAN ? Call.IOCTL : Call.PREAD);
            Regions truncated = new Regions();
            assertEquals(m.end(), scanner.scan(m.base, m.end(), 0, truncated));
            assertEquals(whole.list, truncated.list);
            assertTrue(faults.invocations(mode == ScanMode.PAGEMAP_SCAN ? Call.IOCTL : Call.PREAD) - before > 3,
                    "the truncated answers took several calls");
        }
    }

    @Test
    void preadFallbackRefusesCategoriesPagemapEntriesCannotTell() {
        try (PagemapScanner scanner = PagemapScanner.open(ScanMode.PAGEMAP_READ).orElseThrow(); TestMapping m = new TestMapping(2)) {
            ScanSelection written = new ScanSelection(0, PageCategory.WRITTEN, 0, PageCategory.WRITTEN);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> scanner.scan(m.base, m.end(), written, 0, new Regions()));
            assertTrue(e.getMessage().contains("WRITTEN"), e.getMessage());
        }
    }

    @Test
    void modeNoneHasNoScannerAndAClosedScannerRefusesToScan() {
        assertFalse(PagemapScanner.open(ScanMode.NONE).isPresent());
        PagemapScanner scanner = PagemapScanner.open(ScanMode.AUTO).orElseThrow();
        scanner.close();
        scanner.close();
        assertThrows(IllegalStateException.class, () -> scanner.scan(0, PAGE, 0, new Regions()));
    }
}
