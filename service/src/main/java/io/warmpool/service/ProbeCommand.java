package io.warmpool.service;

import io.warmpool.natives.HotCalls;
import io.warmpool.natives.KernelFeatures;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.FirstWriteCost;
import io.warmpool.pagemap.PageCategory;
import io.warmpool.pagemap.PagemapCapabilities;
import io.warmpool.pagemap.WrittenPageTracker;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code warmpool probe}: what the running kernel offers the pool, and what its operations cost here. */
final class ProbeCommand implements Command {

    @Override
    public String name() {
        return "probe";
    }

    @Override
    public String summary() {
        return "report what this kernel offers the pool and what resets cost on this host";
    }

    @Override
    public String help() {
        return """
                usage: warmpool probe [--json]

                Prints what the running kernel offers the pool: kernel release, page size, how the
                reset's system calls are bound (JNI, or JNA and why), PAGEMAP_SCAN (and the page
                categories it accepts), written-page tracking with userfaultfd asynchronous
                write-protect (tried on a scratch mapping), process_madvise with MADV_DONTNEED, the
                transparent huge page mode; then measures, in well under a second, the median cost per
                page of a page fault (first write after MADV_DONTNEED), of the first write to a
                write-protected page (what tracking costs a tenant), of zeroing a resident page, and of
                MADV_DONTNEED of a resident page.

                options:
                  --json    print the same as one JSON object
                  --help    print this help""";
    }

    /**
     * What the probe found.
     *
     * @param callBinding     {@code jni} or {@code jna}: how the reset's system calls are bound
     * @param callFallback    why they fell back to JNA, or null
     * @param writeFaultNanos the first write to a write-protected page, per page; NaN where written-page
     *                        tracking does not work
     */
    record Report(String kernel, long pageSize, String callBinding, String callFallback, PagemapCapabilities pagemap,
                  KernelFeatures.Feature uffdWpAsync, KernelFeatures.Feature processMadvise,
                  String transparentHugePages, HostCosts costs, double writeFaultNanos) {
    }

    static Report probe(Syscalls os) {
        KernelFeatures.Feature tracking = WrittenPageTracker.probe(os);
        return new Report(KernelFeatures.kernelRelease(), os.pageSize(), HotCalls.binding(),
                HotCalls.fallbackReason().orElse(null), PagemapCapabilities.get(),
                tracking, KernelFeatures.processMadviseDontneed(os), KernelFeatures.transparentHugePages(),
                HostCosts.measure(os), tracking.present() ? FirstWriteCost.measure(os).nanosPerPage() : Double.NaN);
    }


    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Options options = Options.parse(name(), args, Set.of(), Set.of("json"));
        if (!options.positional().isEmpty()) {
            throw new UsageException(name() + ": unexpected argument '" + options.positional().get(0) + "'");
        }
        Report report = probe(Syscalls.linux());
        out.println(options.has("json") ? json(report) : text(report));
        return 0;
    }

    static String yesNo(boolean value) {
        return value ? "yes" : "no ";
    }

    static String text(Report r) {
        HostCosts c = r.costs();
        return String.join("\n",
                "warmpool probe: what this kernel offers the pool",
                row("kernel", r.kernel()),
                row("page size", r.pageSize() + " B"),
                row("reset calls", r.callBinding() + "  " + (r.callFallback() == null
                        ? "ioctl, madvise, mprotect, memset through warmpool's JNI library"
                        : "JNI library not loaded: " + r.callFallback())),
                row("PAGEMAP_SCAN", yesNo(r.pagemap().pagemapScan()) + "  " + (r.pagemap().pagemapScan()
                        ? "categories " + PageCategory.names(r.pagemap().acceptedCategories())
                        : r.pagemap().detail() + "; scans fall back to pread of /proc/self/pagemap")),
                row("uffd WP async", yesNo(r.uffdWpAsync().present()) + "  " + r.uffdWpAsync().detail()),
                row("process_madvise", yesNo(r.processMadvise().present()) + "  " + r.processMadvise().detail()),
                row("huge pages", r.transparentHugePages() + " (slots get MADV_NOHUGEPAGE)"),
                "",
                String.format(Locale.ROOT, "measured costs per 4 KiB page (median of %d rounds of %d pages)",
                        c.rounds(), c.pages()),
                row("page fault", micros(c.faultNanos()) + "  first write after MADV_DONTNEED"),
                row("WP fault", Double.isNaN(r.writeFaultNanos()) ? "     n/a  no written-page tracking here"
                        : micros(r.writeFaultNanos()) + "  first write to a write-protected page (uffd async)"),
                row("zeroing", micros(c.zeroNanos()) + "  memset of a resident page"),
                row("madvise", micros(c.decommitNanos()) + "  MADV_DONTNEED of a resident page"),
                String.format(Locale.ROOT, "  keeping a dirty page resident and zeroing it is %.0fx cheaper than"
                        + " faulting it in again", c.faultToZeroRatio()));
    }

    private static String row(String label, String value) {
        return String.format(Locale.ROOT, "  %-17s %s", label, value);
    }

    private static String micros(double nanos) {
        return String.format(Locale.ROOT, "%8.2f µs", nanos / 1000);
    }

    static String json(Report r) {
        HostCosts c = r.costs();
        Json json = new Json().begin(null)
                .field("kernel", r.kernel())
                .field("page_size", r.pageSize())
                .begin("reset_calls")
                .field("binding", r.callBinding())
                .field("fallback_reason", r.callFallback())
                .end()
                .begin("pagemap_scan")
                .field("supported", r.pagemap().pagemapScan())
                .beginArray("categories");
        long accepted = r.pagemap().acceptedCategories();
        for (int bit = 0; bit < Long.SIZE; bit++) {
            if ((accepted & (1L << bit)) != 0) {
                json.value(PageCategory.names(1L << bit));
            }
        }
        return json.endArray()
                .field("detail", r.pagemap().detail())
                .end()
                .begin("userfaultfd_wp_async").field("supported", r.uffdWpAsync().present())
                .field("detail", r.uffdWpAsync().detail()).end()
                .begin("process_madvise").field("supported", r.processMadvise().present())
                .field("detail", r.processMadvise().detail()).end()
                .field("transparent_huge_pages", r.transparentHugePages())
                .begin("costs_ns_per_page")
                .field("page_fault", c.faultNanos())
                .field("write_protect_fault", r.writeFaultNanos())
                .field("zero", c.zeroNanos())
                .field("madvise_dontneed", c.decommitNanos())
                .field("rounds", c.rounds())
                .field("pages", c.pages())
                .end()
                .end()
                .toString();
    }
}
