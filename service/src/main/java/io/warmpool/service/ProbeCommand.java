package io.warmpool.service;

import io.warmpool.natives.KernelFeatures;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.PageCategory;
import io.warmpool.pagemap.PagemapCapabilities;

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

                Prints what the running kernel offers the pool: kernel release, page size, PAGEMAP_SCAN
                (and the page categories it accepts), userfaultfd asynchronous write-protect,
                process_madvise with MADV_DONTNEED, the transparent huge page mode; then measures, in
                well under a second, the median cost per page of a page fault (first write after
                MADV_DONTNEED), of zeroing a resident page, and of MADV_DONTNEED of a resident page.

                options:
                  --json    print the same as one JSON object
                  --help    print this help""";
    }

    /** What the probe found. */
    record Report(String kernel, long pageSize, PagemapCapabilities pagemap, KernelFeatures.Feature uffdWpAsync,
                  KernelFeatures.Feature processMadvise, String transparentHugePages, HostCosts costs) {
    }

    static Report probe(Syscalls os) {
        return new Report(KernelFeatures.kernelRelease(), os.pageSize(), PagemapCapabilities.get(),
                KernelFeatures.userfaultfdWriteProtectAsync(os), KernelFeatures.processMadviseDontneed(os),
                KernelFeatures.transparentHugePages(), HostCosts.measure(os));
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
                .field("zero", c.zeroNanos())
                .field("madvise_dontneed", c.decommitNanos())
                .field("rounds", c.rounds())
                .field("pages", c.pages())
                .end()
                .end()
                .toString();
    }
}
