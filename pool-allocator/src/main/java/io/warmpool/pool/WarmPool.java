package io.warmpool.pool;

import io.warmpool.natives.KernelFeatures;
import io.warmpool.natives.Syscalls;
import io.warmpool.pagemap.ScanMode;
import io.warmpool.pool.concurrent.StripedCounter;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.PoolSetting;
import io.warmpool.pool.config.ReservationException;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.event.PoolListener;
import io.warmpool.pool.event.PoolSnapshot;
import io.warmpool.pool.profile.TenantProfile;
import io.warmpool.pool.reset.ResetContext;
import io.warmpool.pool.reset.ResetContexts;
import io.warmpool.pool.slab.AddressSpace;
import io.warmpool.pool.slab.SlotPool;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A pool of pre-reserved memory, table and stack slots for short-lived instances, each reset on
 * release so that the next tenant reads zeros everywhere it can reach (or, for a memory that starts
 * from a {@link MemoryImage}, the image's bytes and zero beyond them), at the least cost, with the
 * resident memory of idle slots inside a budget.
 *
 * <pre>{@code
 * try (WarmPool pool = WarmPool.create(PoolConfig.builder().build())) {
 *     InstanceRequest request = InstanceRequest.builder()
 *             .affinityKey("module-a").memory(64 << 10).tables(1).stack(true).build();
 *     try (Instance instance = pool.acquire(request)) {
 *         instance.memory(0).buffer().putLong(0, 42);        // the tenant runs
 *     }                                                       // reset, back in the pool, warm
 * }
 * }</pre>
 *
 * Thread-safe. Acquire and release take one stripe's lock of each kind, briefly; the reset runs
 * without a lock on the releasing thread, with a scanner it borrows for the release from a few
 * that share one pagemap descriptor: any number of threads may release.
 *
 * <p>After {@code fork()} the child can go on using the pool from the thread that forked, whatever
 * the parent's other threads were doing with it: its first operation in the child rebuilds the
 * bookkeeping with new locks, replaces slots that were in flight in the parent with fresh mappings,
 * and opens a pagemap descriptor of its own for its scanners. Instances held across the fork stay
 * usable, and their release in the child remaps their slots rather than trusting a reset. With
 * wipe-on-fork (the default) every slot reads zero in the child. Covered: forks through glibc's {@code fork()}; with
 * {@code -Dwarmpool.fork.checkPid=true} also raw {@code clone} and {@code syscall(SYS_fork)}, at a
 * {@code getpid} per operation. Not covered: a fork from inside a {@link PoolListener} callback or
 * during {@link #close()}; and the listener itself is called in the child, so it must not wait on a
 * lock a parent thread may have held.
 *
 * <p>Careless and hostile callers: any sequence of public calls from any number of threads keeps
 * tenants apart and loses no slot. An instance out keeps the pool open ({@link #close()} refuses
 * until every instance is released, and waits for the calls in flight), so an instance's slots are
 * mapped until its release; a closed pool refuses every call that would touch its former addresses.
 * A {@link PoolListener} that throws is counted ({@link PoolSnapshot#listenerFailures()}) and logged
 * once, and the pool goes on. An affinity key's {@code hashCode} is taken once, at the acquire: a
 * key that throws fails that acquire alone, and one that throws later costs its tenant affinity at
 * most. Sizes and offsets are checked without sums that could overflow.
 */
public final class WarmPool implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WarmPool.class.getName());

    private final PoolConfig config;
    private final TenantProfile profile;
    private final SlotPools kinds = new SlotPools();
    private final ForkRecovery forks;
    private final Consumer<Lease> giveBack = this::release;
    private final PoolGate gate = new PoolGate();
    // The monitors below are replaced in a forked child (renewAfterFork): a parent thread may hold them.
    private ResetContexts contexts;
    /** Instances out; each instance counts in the cell of the thread that acquired it, up and down. */
    private final StripedCounter outstanding = new StripedCounter();
    private final GuardedListener listener;
    private final Leasing leasing;
    private ResidentMeter meter;
    private volatile int maxUnusedWarmSlots;
    private final PoolImages images;

    private WarmPool(PoolConfig config, PoolListener listener, Syscalls os) {
        this.config = config;
        this.maxUnusedWarmSlots = config.maxUnusedWarmSlots();
        this.profile = new TenantProfile(config);
        GuardedListener guarded = new GuardedListener(profile, listener, LOG);
        this.listener = guarded;
        this.contexts = new ResetContexts(config.scanMode(), os, guarded);
        this.meter = new ResidentMeter(os, config.pageSize());
        this.images = new PoolImages(config, os, gate);
        this.forks = new ForkRecovery(config, kinds, os, this::renewAfterFork);
        this.leasing = new Leasing(config, kinds, gate, forks, guarded, profile, outstanding, giveBack);
        AddressSpace.checkFits(config, os);
        boolean processMadvise = config.decommitBatch() > 1 && KernelFeatures.processMadviseDontneed(os).present();
        try {
            for (SlotKind kind : SlotKind.values()) {
                if (config.kind(kind).count() > 0) {
                    SlotPool pool = new SlotPool(kind, config, os, processMadvise, guarded, leasing::slotFreed);
                    kinds.add(pool);
                    profile.stripes(kind, pool.stripes());
                }
            }
            contexts.giveBack(contexts.borrow()); // opens a scanner now: a bad scan mode fails here, not on a release
        } catch (RuntimeException e) {
            closeAll();
            throw e;
        }
    }

    /** A pool on the real kernel that tells nothing. */
    public static WarmPool create(PoolConfig config) {
        return create(config, PoolListener.NONE);
    }

    /** A pool on the real kernel that tells {@code listener} what it does. */
    public static WarmPool create(PoolConfig config, PoolListener listener) {
        return create(config, listener, Syscalls.linux());
    }

    /**
     * A pool that makes its system calls through {@code os} (tests pass a fault-injecting double).
     *
     * @throws ReservationException when the slabs do not fit under the process's {@code RLIMIT_AS}
     * @throws UnsupportedOperationException when the scan mode asks for PAGEMAP_SCAN and the kernel lacks it
     * @throws io.warmpool.natives.NativeCallException when a slab cannot be reserved
     */
    public static WarmPool create(PoolConfig config, PoolListener listener, Syscalls os) {
        return new WarmPool(Objects.requireNonNull(config, "config"), Objects.requireNonNull(listener, "listener"),
                Objects.requireNonNull(os, "os"));
    }

    /**
     * Makes a memory image: {@code segments} at their offsets (later ones over earlier ones), zero
     * elsewhere, {@link MemoryImage#byteSize()} the pages that hold them. Its bytes go into a memfd
     * ({@code memfd_create(MFD_CLOEXEC | MFD_ALLOW_SEALING)}), written once and sealed against
     * writing, growing and shrinking; slots map it copy-on-write. Closed with the pool at the latest.
     *
     * @throws IllegalArgumentException when the image would not fit a memory slot ({@code pool.memory-max})
     * @throws io.warmpool.natives.NativeCallException when {@code memfd_create}, {@code ftruncate},
     *         {@code pwrite}, the seals or the mapping fail (named with their arguments and errno); nothing is left open
     * @throws IllegalStateException when the pool is closed
     */
    public MemoryImage createImage(List<ImageSegment> segments) {
        return images.create(segments);
    }

    /**
     * The memory images of this pool that are alive: open, or closed and still mapped by a slot.
     */
    public int imagesAlive() {
        return images.alive();
    }

    /** The configuration the pool was built with (runtime changes are read with their own getters). */
    public PoolConfig config() {
        return config;
    }

    /**
     * Acquires the slots of one instance, or none of them, trying once.
     *
     * @throws PoolExhaustedException naming the kind and its capacity when a kind has no free slot
     * @throws IllegalArgumentException when a memory's initial size exceeds the maximum, or the request
     *                                  asks for more slots of a kind than the pool has (none, say); no
     *                                  slot is taken then
     * @throws IllegalStateException when the pool is closed
     */
    public Instance acquire(InstanceRequest request) {
        return leasing.acquire(request);
    }

    /**
     * Acquires the slots of one instance, waiting up to {@code timeout} in line for slots to be
     * released ({@link AcquireLine}: first come first served; a waiter holds no slot). A zero or
     * negative timeout tries once, unless others already wait: then it does not pass them.
     *
     * @throws PoolExhaustedException   when the timeout passed with a kind still without a free slot
     * @throws IllegalArgumentException as {@link #acquire(InstanceRequest)}, at once
     * @throws IllegalStateException    when the pool is closed, also while waiting
     * @throws InterruptedException     when interrupted while waiting
     */
    public Instance acquire(InstanceRequest request, Duration timeout) throws InterruptedException {
        return leasing.acquire(request, timeout);
    }

    /** What an instance's release calls: its slots are reset and taken back ({@link Leasing#release}). */
    private void release(Lease lease) {
        forks.check(lease); // first: in a forked child it renews the reset contexts read next
        leasing.release(lease, contexts);
    }

    /**
     * Enters a call that reads or changes slots: refused once the pool is closed; in a forked child
     * the bookkeeping is rebuilt first. Pass what it returns to {@link PoolGate#exit}. (Not a helper
     * that takes the call as a lambda: the pool's calls run in a forked child, where a call site
     * must not be bootstrapped, see the compiler arguments in the parent pom.)
     */
    private int enter() {
        gate.checkOpen();
        forks.check();
        return gate.enter();
    }

    /** What the pool's tenants did so far: dirty pages per reset and where, instances in use at acquire. */
    public TenantProfile profile() {
        return profile;
    }

    /** Instances acquired and not yet released. */
    public int outstanding() {
        return (int) outstanding.sum();
    }

    /**
     * The state of every kind's slots now. Decommits that have waited too long for their batch to
     * fill run first (see {@link #flushDecommits()}).
     */
    public PoolSnapshot snapshot() {
        int cell = enter();
        try {
            return kinds.snapshot(listener);
        } finally {
            gate.exit(cell);
        }
    }

    /**
     * The resident bytes of a kind's slab, measured now by scanning it (cheap where nothing is mapped:
     * the scan skips empty page tables). In-use slots count too. Pages that map the shared zero page
     * (a tenant read them and never wrote) do not count, as they do not in RSS; where only
     * {@code pread} of pagemap is available, which cannot tell them apart, they count. Decommits that
     * have waited too long for their batch to fill run first (see {@link #flushDecommits()}).
     */
    public long residentBytes(SlotKind kind) {
        return measureResident(kind, false);
    }

    /**
     * The resident bytes of a kind's idle slots (warm, cold, and quarantined ones): what the
     * keep-resident budget bounds, measured now by scanning each idle slot, as {@link #residentBytes}
     * measures the whole slab. A slot acquired or released while it is measured counts on the side
     * it was on when its turn came.
     */
    public long idleResidentBytes(SlotKind kind) {
        return measureResident(kind, true);
    }

    private long measureResident(SlotKind kind, boolean idleOnly) {
        int cell = enter();
        try {
            return meter.measure(kinds.orNull(kind), idleOnly, contexts);
        } finally {
            gate.exit(cell);
        }
    }

    /** The keep-resident bytes per warm slot of {@code kind} now ({@link PoolSetting#keepResident}). */
    public long keepResidentBytes(SlotKind kind) {
        return kinds.of(kind).settings().keepResidentBytes();
    }

    /**
     * Changes the keep-resident bytes of {@code kind} for the resets from now on. Lowered, the idle
     * warm slots give back what they keep beyond the new bytes before this returns (resets running
     * meanwhile trim their slot when they finish); slots in use follow at their release.
     *
     * @throws io.warmpool.pool.config.PoolConfigException when not page-aligned or above the slot size
     * @throws IllegalStateException when the pool is closed
     */
    public void setKeepResidentBytes(SlotKind kind, long bytes) {
        int cell = enter();
        try {
            kinds.of(kind).setKeepResidentBytes(bytes);
        } finally {
            gate.exit(cell);
        }
    }

    /** The bound on unused warm slots per kind now ({@link PoolSetting#MAX_UNUSED_WARM_SLOTS}). */
    public int maxUnusedWarmSlots() {
        return maxUnusedWarmSlots;
    }

    /** Changes the bound on unused warm slots per kind; warm slots above a lower bound go cold now. */
    public void setMaxUnusedWarmSlots(int bound) {
        int cell = enter();
        try {
            kinds.setMaxUnusedWarm(bound);
            maxUnusedWarmSlots = bound;
            profile.maxUnusedWarmSlots(bound);
        } finally {
            gate.exit(cell);
        }
    }

    /** The reset strategy now ({@link PoolSetting#RESET_STRATEGY}). */
    public ResetStrategy resetStrategy() {
        return kinds.of(SlotKind.MEMORY).settings().strategy();
    }

    /** Changes the reset strategy of every kind for the resets from now on. */
    public void setResetStrategy(ResetStrategy strategy) {
        Objects.requireNonNull(strategy, "strategy");
        int cell = enter();
        try {
            kinds.setStrategy(strategy);
        } finally {
            gate.exit(cell);
        }
    }

    /** The mode the resets' scanners run in now, or {@link ScanMode#NONE} without one. */
    public ScanMode scanMode() {
        int cell = enter();
        try {
            ResetContexts lender = contexts;
            ResetContext ctx = lender.borrow();
            try {
                return ctx.scanMode();
            } finally {
                lender.giveBack(ctx);
            }
        } finally {
            gate.exit(cell);
        }
    }

    /**
     * Runs every queued decommit now. With a decommit batch of more than one slot, a released slot
     * waits for its batch to fill, holding the pages its tenant dirtied past the keep-resident budget;
     * the next acquire, release, snapshot or {@link #residentBytes} after it waited 100 ms runs the
     * batch anyway. A pool that sees no call at all keeps such a batch until this is called.
     */
    public void flushDecommits() {
        int cell = enter();
        try {
            kinds.flush();
        } finally {
            gate.exit(cell);
        }
    }

    /**
     * Closes the pool and unmaps every slab, once no instance is out. Idempotent.
     *
     * <p>With an instance out, the pool stays open and this throws: so every instance ever handed
     * out lies in mapped memory until its release. Calls in flight on other threads are waited
     * for ({@link PoolGate}): an acquire in flight either hands out its instance before the close
     * takes effect (the close then refuses, naming it) or fails with "the pool is closed"; a
     * waiter in {@link #acquire(InstanceRequest, Duration)} fails so. A call that overlaps a close
     * that ends up refused may be refused too. Once closed, every method that reads or changes
     * slots ({@link #acquire}, the setters, {@link #flushDecommits}, {@link #snapshot},
     * {@link #residentBytes}, {@link #idleResidentBytes}, {@link #scanMode}) throws
     * {@link IllegalStateException} and touches nothing: the addresses may belong to another pool
     * by then. {@link #config()}, {@link #profile()}, {@link #outstanding()} and the getters of the
     * settings still answer.
     *
     * @throws IllegalStateException naming how many instances are still out; the pool stays open
     */
    @Override
    public synchronized void close() {
        if (gate.isClosed()) {
            return;
        }
        forks.check();
        if (gate.close(outstanding)) {
            leasing.wakeAll();
            closeAll();
        }
    }

    private void closeAll() {
        kinds.closeAll();
        meter.close();
        contexts.close(); // last: the meter's scanner shares its descriptor
        images.closeAll(); // after the slabs: no slot maps one now
    }

    /**
     * In a forked child, after every kind's slots are renewed ({@link ForkRecovery}): new monitors,
     * {@code leasesOut} out (each counted again in its own cell), the idle reset contexts and the
     * inherited pagemap descriptor closed (contexts that parent threads had borrowed are never handed
     * out here); this thread's next release opens fresh ones. The profile's counter cells that parent
     * threads held are free again.
     */
    private void renewAfterFork(List<Lease> leasesOut) {
        profile.renewAfterFork();
        gate.renewAfterFork();
        leasing.renewAfterFork();
        outstanding.clear();
        for (Lease lease : leasesOut) {
            outstanding.add(lease.countedIn, 1);
        }
        meter = meter.forChild(); // before the descriptor its scanner reads
        contexts = contexts.forChild();
    }
}
