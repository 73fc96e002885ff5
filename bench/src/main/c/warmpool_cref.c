/*
 * warmpool-cref: the C reference of `warmpool bench`. It runs the bench's cycle on one slot with the
 * same system calls as the pool's `pagemap-guided`, `memset-keep-resident`, `madvise-all` and
 * `written-tracked` resets, and no Java, so that the cost of Java and JNI shows as a ratio, and so
 * that what the kernel charges each strategy (its floor on this machine) can be read apart from it.
 *
 *  reservation (mmap PROT_NONE, MAP_NORESERVE; MADV_NOHUGEPAGE, MADV_WIPEONFORK, as the pool's slab)
 *  | guard 64 MiB | slot: [lo, lo + slot-bytes) read-write | up to max-bytes PROT_NONE | guard 64 MiB |
 *
 *  one cycle (the slot stays mapped and accessible, as an affinity hit of the same size in the pool):
 *    write   choose min(dirty, spread pages) distinct pages (the same generator and order as the Java
 *            driver, so the same pages for the same seed) and store one non-zero word in each
 *    reset   pagemap-guided:  PAGEMAP_SCAN [lo, hi) for dirty pages (anyof PRESENT|SWAPPED, not
 *                             PFNZERO|FILE), at most keep/page pages, 512 regions a call, resuming
 *                             at walk_end; memset PRESENT regions, madvise(DONTNEED) SWAPPED ones,
 *                             madvise(DONTNEED) [stop, hi) when the budget ran out
 *            memset-keep-resident: memset [lo, lo + keep); madvise(DONTNEED) [lo + keep, hi)
 *            madvise-all:     madvise(DONTNEED) [lo, hi)
 *            written-tracked: the window [lo, lo + keep) registered with a userfaultfd in async
 *                             write-protect mode (and protected) before the first cycle; PAGEMAP_SCAN
 *                             the window for WRITTEN pages (CHECK_WPASYNC); PAGEMAP_SCAN [lo + keep,
 *                             hi) for dirty pages; memset the written regions, then protect them
 *                             again: UFFDIO_WRITEPROTECT per region up to 4 regions, else one
 *                             PAGEMAP_SCAN WP_MATCHING of the window; madvise(DONTNEED) what lies
 *                             beyond the window (WrittenTracking's calls, in its order)
 *
 * usage: warmpool-cref STRATEGY SLOT MAX KEEP DIRTY SPREAD ITERATIONS WARMUP WARMUP_NS SEED TIME_LIMIT_NS
 *        (the warmup runs WARMUP cycles and at least WARMUP_NS nanoseconds, as the Java driver's)
 *        warmpool-cref --pages SPREAD_PAGES DIRTY CYCLES SEED      (print the pages chosen, one cycle a line)
 *
 * Output: "samples N", then N lines "write_ns reset_ns cycle_ns", then "resident_bytes B".
 * Every failure names the call, its arguments and errno on stderr and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* include/uapi/linux/fs.h (6.7+), declared here so that older kernel headers build it too. */
struct pm_scan_arg {
    uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
    uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
struct page_region {
    uint64_t start, end, categories;
};
#define PAGEMAP_SCAN_REQUEST 0xC0606610UL
#define PAGE_IS_WRITTEN (1UL << 1)
#define PAGE_IS_FILE (1UL << 2)
#define PAGE_IS_PRESENT (1UL << 3)
#define PAGE_IS_SWAPPED (1UL << 4)
#define PAGE_IS_PFNZERO (1UL << 5)
#define PM_SCAN_WP_MATCHING (1UL << 0)
#define PM_SCAN_CHECK_WPASYNC (1UL << 1)
/* include/uapi/linux/userfaultfd.h (6.7+ for WP_ASYNC) */
#define UFFD_USER_MODE_ONLY 1
#define UFFD_API_VALUE 0xAAULL
#define UFFD_FEATURE_WP_UNPOPULATED (1ULL << 13)
#define UFFD_FEATURE_WP_ASYNC (1ULL << 15)
#define UFFDIO_API_REQUEST 0xC018AA3FUL
#define UFFDIO_REGISTER_REQUEST 0xC020AA00UL
#define UFFDIO_WRITEPROTECT_REQUEST 0xC018AA06UL
#define UFFDIO_REGISTER_MODE_WP (1ULL << 1)
#define UFFDIO_WRITEPROTECT_MODE_WP (1ULL << 0)
#define PROTECT_EACH_MAX 4 /* as WrittenTracking.PROTECT_EACH_MAX */
#define VECTOR_REGIONS (8192 / 24) /* as PagemapScanner.VECTOR_REGIONS: the kernel's copy fits a slab */
#define GUARD_BYTES (64UL << 20)
#define MIN_SAMPLES 10

static void die(const char *what) {
    fprintf(stderr, "warmpool-cref: %s failed: errno %d (%s)\n", what, errno, strerror(errno));
    exit(1);
}

static uint64_t arg_u64(const char *text, const char *name) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || end == text) {
        fprintf(stderr, "warmpool-cref: %s = '%s' is not a non-negative integer\n", name, text);
        exit(2);
    }
    return (uint64_t) v;
}

/* SplitMix64, and a bounded draw by multiply-shift: the Java driver's PageChooser does the same. */
static uint64_t rng_state;

static uint64_t next_random(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint32_t bounded(uint32_t n) {
    return (uint32_t) (((next_random() >> 32) * (uint64_t) n) >> 32);
}

/* A partial Fisher-Yates shuffle of a permutation kept across cycles: distinct, uniform pages. */
static uint32_t choose(uint32_t *perm, uint32_t spread_pages, uint64_t dirty) {
    uint32_t k = dirty < spread_pages ? (uint32_t) dirty : spread_pages;
    for (uint32_t i = 0; i < k; i++) {
        uint32_t j = i + bounded(spread_pages - i);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    return k;
}

static uint32_t *new_permutation(uint32_t n) {
    uint32_t *perm = malloc((size_t) n * sizeof *perm);
    if (perm == NULL) {
        die("malloc of the page permutation");
    }
    for (uint32_t i = 0; i < n; i++) {
        perm[i] = i;
    }
    return perm;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void advise(uint64_t address, uint64_t length, int advice, const char *name) {
    if (length > 0 && madvise((void *) address, length, advice) != 0) {
        char what[160];
        snprintf(what, sizeof what, "madvise(0x%" PRIx64 ", %" PRIu64 ", %s)", address, length, name);
        die(what);
    }
}

static int pagemap_fd = -1;
static struct page_region vector[VECTOR_REGIONS];
static struct page_region found[1 << 16];

/* What a scan asks for: the pool's dirty pages (ScanSelection.DIRTY) or written ones (WRITTEN). */
static const struct pm_scan_arg DIRTY = {
    .category_inverted = PAGE_IS_PFNZERO | PAGE_IS_FILE,
    .category_mask = PAGE_IS_PFNZERO | PAGE_IS_FILE,
    .category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
    .return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
};
static const struct pm_scan_arg WRITTEN = {
    .flags = PM_SCAN_CHECK_WPASYNC, .category_mask = PAGE_IS_WRITTEN, .return_mask = PAGE_IS_WRITTEN,
};

/* Scans [lo, hi) for the pages `selection` asks for, at most max_pages, appending to found[*count..];
 * returns where the walk stopped. */
static uint64_t scan_for(const struct pm_scan_arg *selection, uint64_t lo, uint64_t hi, uint64_t max_pages,
                         uint64_t page, size_t *count) {
    uint64_t cursor = lo, reported = 0;
    size_t n_found = *count;
    while (cursor < hi) {
        struct pm_scan_arg arg = *selection;
        arg.size = sizeof arg;
        arg.start = cursor;
        arg.end = hi;
        arg.vec = (uint64_t) (uintptr_t) vector;
        arg.vec_len = VECTOR_REGIONS;
        arg.max_pages = max_pages == 0 ? 0 : max_pages - reported;
        int n = ioctl(pagemap_fd, PAGEMAP_SCAN_REQUEST, &arg);
        if (n < 0) {
            char what[120];
            snprintf(what, sizeof what, "ioctl(PAGEMAP_SCAN, [0x%" PRIx64 ", 0x%" PRIx64 "))", cursor, hi);
            die(what);
        }
        for (int i = 0; i < n; i++) {
            reported += (vector[i].end - vector[i].start) / page;
            if (n_found > 0 && found[n_found - 1].end == vector[i].start
                    && found[n_found - 1].categories == vector[i].categories) {
                found[n_found - 1].end = vector[i].end;
            } else if (n_found < sizeof found / sizeof found[0]) {
                found[n_found++] = vector[i];
            } else {
                fprintf(stderr, "warmpool-cref: more than %zu dirty regions\n", sizeof found / sizeof found[0]);
                exit(1);
            }
        }
        if (max_pages != 0 && reported >= max_pages) {
            cursor = found[n_found - 1].end;
            break;
        }
        cursor = arg.walk_end;
    }
    *count = n_found;
    return cursor < hi ? cursor : hi;
}

/* Scans [lo, hi) for dirty pages, at most max_pages; returns where the walk stopped. */
static uint64_t scan(uint64_t lo, uint64_t hi, uint64_t max_pages, uint64_t page, size_t *count) {
    *count = 0;
    return scan_for(&DIRTY, lo, hi, max_pages, page, count);
}

static void reset_pagemap_guided(uint64_t lo, uint64_t hi, uint64_t keep, uint64_t page) {
    size_t n;
    uint64_t stop = scan(lo, hi, keep / page, page, &n);
    for (size_t i = 0; i < n; i++) {
        if (found[i].categories & PAGE_IS_PRESENT) {
            memset((void *) found[i].start, 0, found[i].end - found[i].start);
        } else {
            advise(found[i].start, found[i].end - found[i].start, MADV_DONTNEED, "MADV_DONTNEED");
        }
    }
    advise(stop, hi - stop, MADV_DONTNEED, "MADV_DONTNEED");
}

static void reset_memset_keep_resident(uint64_t lo, uint64_t hi, uint64_t keep) {
    memset((void *) lo, 0, keep);
    advise(lo + keep, hi - lo - keep, MADV_DONTNEED, "MADV_DONTNEED");
}

static void reset_madvise_all(uint64_t lo, uint64_t hi) {
    advise(lo, hi - lo, MADV_DONTNEED, "MADV_DONTNEED");
}

static int uffd = -1;

static void write_protect(uint64_t start, uint64_t length) {
    uint64_t range[3] = {start, length, UFFDIO_WRITEPROTECT_MODE_WP};
    if (ioctl(uffd, UFFDIO_WRITEPROTECT_REQUEST, range) != 0) {
        char what[120];
        snprintf(what, sizeof what, "ioctl(UFFDIO_WRITEPROTECT, 0x%" PRIx64 ", %" PRIu64 ")", start, length);
        die(what);
    }
}

/* Opens the userfaultfd and registers [lo, lo + keep) for async write-protect, all of it protected. */
static void track_window(uint64_t lo, uint64_t keep) {
    uffd = (int) syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
    if (uffd < 0) {
        die("userfaultfd(UFFD_USER_MODE_ONLY)");
    }
    uint64_t api[3] = {UFFD_API_VALUE, UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED, 0};
    if (ioctl(uffd, UFFDIO_API_REQUEST, api) != 0) {
        die("ioctl(UFFDIO_API, WP_ASYNC | WP_UNPOPULATED)");
    }
    uint64_t reg[4] = {lo, keep, UFFDIO_REGISTER_MODE_WP, 0};
    if (ioctl(uffd, UFFDIO_REGISTER_REQUEST, reg) != 0) {
        die("ioctl(UFFDIO_REGISTER, MODE_WP)");
    }
    write_protect(lo, keep);
}

static void reset_written_tracked(uint64_t lo, uint64_t hi, uint64_t keep, uint64_t page) {
    size_t written = 0, n = 0;
    scan_for(&WRITTEN, lo, lo + keep, 0, page, &written);
    n = written;
    scan_for(&DIRTY, lo + keep, hi, 0, page, &n);
    for (size_t i = 0; i < written; i++) {
        memset((void *) found[i].start, 0, found[i].end - found[i].start);
    }
    if (written > PROTECT_EACH_MAX) {
        struct pm_scan_arg arg = {
            .size = sizeof arg, .flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC, .start = lo, .end = lo + keep,
            .category_mask = PAGE_IS_WRITTEN, .return_mask = PAGE_IS_WRITTEN,
        };
        if (ioctl(pagemap_fd, PAGEMAP_SCAN_REQUEST, &arg) < 0) {
            die("ioctl(PAGEMAP_SCAN, WP_MATCHING) of the window");
        }
    } else {
        for (size_t i = 0; i < written; i++) {
            write_protect(found[i].start, found[i].end - found[i].start);
        }
    }
    for (size_t i = written; i < n; i++) {
        advise(found[i].start, found[i].end - found[i].start, MADV_DONTNEED, "MADV_DONTNEED");
    }
}

static uint64_t resident_bytes(uint64_t lo, uint64_t hi) {
    uint64_t cursor = lo, bytes = 0;
    while (cursor < hi) {
        struct pm_scan_arg arg = {
            .size = sizeof arg, .start = cursor, .end = hi, .vec = (uint64_t) (uintptr_t) vector,
            .vec_len = VECTOR_REGIONS, .category_mask = PAGE_IS_PRESENT, .return_mask = PAGE_IS_PRESENT,
        };
        int n = ioctl(pagemap_fd, PAGEMAP_SCAN_REQUEST, &arg);
        if (n < 0) {
            die("ioctl(PAGEMAP_SCAN) counting resident pages");
        }
        for (int i = 0; i < n; i++) {
            bytes += vector[i].end - vector[i].start;
        }
        cursor = arg.walk_end;
    }
    return bytes;
}

static int print_pages(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: warmpool-cref --pages SPREAD_PAGES DIRTY CYCLES SEED\n");
        return 2;
    }
    uint32_t spread_pages = (uint32_t) arg_u64(argv[2], "SPREAD_PAGES");
    uint64_t dirty = arg_u64(argv[3], "DIRTY"), cycles = arg_u64(argv[4], "CYCLES");
    rng_state = arg_u64(argv[5], "SEED");
    uint32_t *perm = new_permutation(spread_pages);
    for (uint64_t c = 0; c < cycles; c++) {
        uint32_t k = choose(perm, spread_pages, dirty);
        for (uint32_t i = 0; i < k; i++) {
            printf(i == 0 ? "%" PRIu32 : " %" PRIu32, perm[i]);
        }
        printf("\n");
    }
    free(perm);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "--pages") == 0) {
        return print_pages(argc, argv);
    }
    if (argc != 12) {
        fprintf(stderr, "usage: warmpool-cref pagemap-guided|memset-keep-resident|madvise-all|written-tracked"
                " SLOT MAX KEEP DIRTY SPREAD"
                " ITERATIONS WARMUP WARMUP_NS SEED TIME_LIMIT_NS\n");
        return 2;
    }
    static const char *const STRATEGIES[] = {"pagemap-guided", "memset-keep-resident", "madvise-all",
                                             "written-tracked"};
    enum { GUIDED, MEMSET, MADVISE_ALL, TRACKED, STRATEGY_COUNT } strategy = GUIDED;
    while (strategy < STRATEGY_COUNT && strcmp(argv[1], STRATEGIES[strategy]) != 0) {
        strategy++;
    }
    if (strategy == STRATEGY_COUNT) {
        fprintf(stderr, "warmpool-cref: unknown strategy '%s'\n", argv[1]);
        return 2;
    }
    uint64_t slot = arg_u64(argv[2], "SLOT"), max = arg_u64(argv[3], "MAX"), keep = arg_u64(argv[4], "KEEP");
    uint64_t dirty = arg_u64(argv[5], "DIRTY"), spread = arg_u64(argv[6], "SPREAD");
    uint64_t iterations = arg_u64(argv[7], "ITERATIONS"), warmup = arg_u64(argv[8], "WARMUP");
    int64_t warmup_ns = (int64_t) arg_u64(argv[9], "WARMUP_NS");
    rng_state = arg_u64(argv[10], "SEED");
    int64_t time_limit = (int64_t) arg_u64(argv[11], "TIME_LIMIT_NS");
    uint64_t page = (uint64_t) sysconf(_SC_PAGESIZE);
    if (slot == 0 || slot % page || max < slot || max % page || keep % page || spread == 0 || spread > slot
            || spread % page || iterations == 0) {
        fprintf(stderr, "warmpool-cref: sizes must be page multiples with 0 < spread <= slot <= max\n");
        return 2;
    }
    keep = keep < slot ? keep : slot;

    uint64_t reservation = GUARD_BYTES + max + GUARD_BYTES;
    void *base = mmap(NULL, reservation, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        die("mmap of the reservation");
    }
    advise((uint64_t) (uintptr_t) base, reservation, MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE");
    advise((uint64_t) (uintptr_t) base, reservation, MADV_WIPEONFORK, "MADV_WIPEONFORK");
    uint64_t lo = (uint64_t) (uintptr_t) base + GUARD_BYTES, hi = lo + slot;
    if (mprotect((void *) lo, slot, PROT_READ | PROT_WRITE) != 0) {
        die("mprotect of the slot");
    }
    pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (pagemap_fd < 0) {
        die("open(/proc/self/pagemap)");
    }
    if (strategy == TRACKED && keep > 0) {
        track_window(lo, keep);
    }

    uint32_t spread_pages = (uint32_t) (spread / page);
    uint32_t *perm = new_permutation(spread_pages);
    int64_t *samples = malloc(iterations * 3 * sizeof *samples);
    if (samples == NULL) {
        die("malloc of the samples");
    }
    uint64_t taken = 0;
    int64_t warmup_started = now_ns(), started = 0;
    for (uint64_t i = 0; taken < iterations; i++) {
        int measuring = started != 0;
        if (!measuring && i >= warmup && now_ns() - warmup_started >= warmup_ns) {
            started = now_ns();
            measuring = 1;
        }
        uint32_t k = choose(perm, spread_pages, dirty);
        uint64_t value = (i << 1) | 1;
        int64_t t0 = now_ns();
        for (uint32_t p = 0; p < k; p++) {
            *(volatile uint64_t *) (lo + (uint64_t) perm[p] * page) = value;
        }
        int64_t t1 = now_ns();
        if (strategy == GUIDED) {
            reset_pagemap_guided(lo, hi, keep, page);
        } else if (strategy == MEMSET) {
            reset_memset_keep_resident(lo, hi, keep);
        } else if (strategy == MADVISE_ALL || keep == 0) {
            reset_madvise_all(lo, hi);
        } else {
            reset_written_tracked(lo, hi, keep, page);
        }
        int64_t t2 = now_ns();
        if (measuring) {
            samples[taken * 3] = t1 - t0;
            samples[taken * 3 + 1] = t2 - t1;
            samples[taken * 3 + 2] = t2 - t0;
            taken++;
            if (time_limit > 0 && taken >= MIN_SAMPLES && t2 - started > time_limit) {
                break;
            }
        }
    }
    printf("samples %" PRIu64 "\n", taken);
    for (uint64_t s = 0; s < taken; s++) {
        printf("%" PRId64 " %" PRId64 " %" PRId64 "\n", samples[s * 3], samples[s * 3 + 1], samples[s * 3 + 2]);
    }
    printf("resident_bytes %" PRIu64 "\n", resident_bytes(lo, hi));
    free(samples);
    free(perm);
    close(pagemap_fd);
    if (uffd >= 0) {
        close(uffd); /* unregisters the window */
    }
    munmap(base, reservation);
    return 0;
}
