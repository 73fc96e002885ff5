package io.warmpool.wasm.memory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import io.warmpool.natives.NativeMemory;
import io.warmpool.pool.MemorySlot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A WebAssembly linear memory on a warmpool memory slot: Chicory's {@link Memory} over the slot's
 * native bytes, instead of a heap array allocated and filled on every instantiation.
 *
 * <pre>
 *  slot.address()
 *  |&lt;------------ size = pages × 64 KiB: the view ------------&gt;|&lt;-- PROT_NONE ... --&gt;| guard
 *  |&lt;-- the module's image (its active data, once images exist) ...     up to maxPages × 64 KiB
 *  every access is checked against the view's limit (the ByteBuffer's own index check: no allocation
 *  on the way in), and a failed check becomes Chicory's trap, with ByteBufferMemory's type and text.
 * </pre>
 *
 * <p>{@code grow} makes more of the slot accessible ({@code mprotect}, through {@link MemorySlot#grow})
 * in 64 KiB pages, up to the module's maximum, the slot's, and Chicory's 32767 pages; the new view
 * replaces the old one. {@code initialize} writes the active data segments, except when the slot
 * already holds them (its image): then it only checks them; either way an active segment is dropped
 * once applied, as the spec says. Passive segments stay until {@code data.drop}.
 *
 * <p>The slot's contract is that every accessible byte of a freshly acquired slot reads zero (or its
 * image's byte): so the {@code zero()} that Chicory calls before {@code initialize} costs nothing.
 * After {@link #close()} (the owner calls it before it releases the slot) every access throws
 * {@link IllegalStateException}: a stale reference never reaches the slot's next tenant.
 *
 * <p>Any thread may use it at any time, also while it closes: every access that reads the slot
 * (loads, stores, bulk, {@code memory.init}) passes its {@link AccessGate}, so {@code close} returns
 * only once none that began before it can still touch the slot. The thread inside its instance's call
 * passes it with one thread comparison; any other thread's access counts itself. The view is volatile
 * so that an access ordered after {@code close} or {@code grow} sees it, and {@code grow} (which changes
 * the slot's protection), {@code initialize}, {@code drop} and {@code close}'s detaching are
 * synchronized.
 */
public final class PooledMemory implements Memory {
    /** What a closed memory's accesses see: nothing, so every one fails its bounds check. */
    private static final ByteBuffer CLOSED = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    private static final DataSegment[] NO_SEGMENTS = {};
    private static final byte[][] NO_BYTES = {};

    private final MemorySlot slot;
    private final long address;
    private final MemoryLimits limits;
    private final int maximumPages;
    private final boolean segmentsInImage;
    private final AccessGate gate;
    /** Little-endian view of the accessible pages; {@link #CLOSED} once closed. */
    private volatile ByteBuffer view;
    private volatile boolean closed;
    /** True from construction until {@code initialize}: the bytes are what the pool handed over. */
    private boolean fresh = true;
    private DataSegment[] segments = NO_SEGMENTS;
    /** Each passive segment's bytes once {@code memory.init} fetched them; null when not yet, or dropped. */
    private byte[][] passiveBytes = NO_BYTES;

    private PooledMemory(MemorySlot slot, MemoryLimits limits, boolean segmentsInImage, AccessGate gate) {
        this.slot = slot;
        this.gate = Objects.requireNonNull(gate, "gate");
        this.limits = limits;
        this.segmentsInImage = segmentsInImage;
        this.address = slot.address();
        long slotPages = slot.maximumBytes() / PAGE_SIZE;
        this.maximumPages = (int) Math.min(Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES), slotPages);
        int initial = limits.initialPages();
        if (initial > maximumPages) {
            throw new UninstantiableException("memory of " + initial + " pages (64 KiB) does not fit "
                    + slot + ": it holds at most " + slotPages + " pages (pool.memory-max)");
        }
        long want = (long) initial * PAGE_SIZE;
        long have = slot.accessibleBytes();
        if (have < want) {
            slot.grow(want - have);
        }
        this.view = slot.buffer(0, (int) want).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A memory with {@code limits} on {@code slot}, whose bytes are all zero.
     *
     * @throws UninstantiableException when the initial pages do not fit the slot
     */
    public static PooledMemory on(MemorySlot slot, MemoryLimits limits) {
        return new PooledMemory(slot, limits, false, new AccessGate());
    }

    /**
     * A memory with {@code limits} on {@code slot}, where {@code segmentsInImage} says that the slot's
     * bytes already hold every active data segment of the module (its memory image): {@code initialize}
     * then checks them but writes none.
     *
     * @throws UninstantiableException when the initial pages do not fit the slot
     */
    public static PooledMemory on(MemorySlot slot, MemoryLimits limits, boolean segmentsInImage) {
        return new PooledMemory(slot, limits, segmentsInImage, new AccessGate());
    }

    /**
     * As {@link #on(MemorySlot, MemoryLimits, boolean)}, with the calls of its instance entering
     * {@code gate} (a fresh gate, which the owner keeps to itself: see {@link AccessGate}).
     */
    public static PooledMemory on(MemorySlot slot, MemoryLimits limits, boolean segmentsInImage, AccessGate gate) {
        return new PooledMemory(slot, limits, segmentsInImage, gate);
    }

    /** The slot under this memory. */
    public MemorySlot slot() {
        return slot;
    }

    /** Whether {@link #close()} ran. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Detaches the memory from its slot: every later access throws {@link IllegalStateException}, and
     * it returns once no call or access that began before can still reach the slot (it waits for them;
     * a call in flight fails at its next access). The owner calls it before releasing the slot; it is
     * idempotent, and called from inside a call on this memory it waits for everything but that call.
     */
    public void close() {
        synchronized (this) {
            closed = true;
            view = CLOSED;
            segments = NO_SEGMENTS;
            passiveBytes = NO_BYTES;
        }
        gate.close();
    }

    private int size() {
        return view.limit();
    }

    /** Chicory's trap for an access of {@code size} bytes at {@code addr}, or the closed memory's error. */
    private RuntimeException outOfBounds(int addr, int size) {
        if (closed) {
            return new IllegalStateException("the memory on " + slot + " was released with its instance");
        }
        return new WasmRuntimeException("out of bounds memory access: attempted to access address: " + addr
                + " but limit is: " + size() + " and size: " + size);
    }

    private void checkRange(int addr, int length) {
        if (addr < 0 || length < 0 || addr > size() - length) {
            throw outOfBounds(addr, length);
        }
    }

    // ---- sizes and growth ----------------------------------------------------------------------

    @Override
    public int pages() {
        checkOpen();
        return size() >>> 16;
    }

    @Override
    public synchronized int grow(int deltaPages) {
        checkOpen();
        int before = pages();
        long after = (long) before + deltaPages;
        if (deltaPages < 0 || after > maximumPages) {
            return -1;
        }
        if (deltaPages == 0) {
            return before;
        }
        long want = after * PAGE_SIZE;
        long have = slot.accessibleBytes();
        if (have < want) {
            slot.grow(want - have);
        }
        view = slot.buffer(0, (int) want).order(ByteOrder.LITTLE_ENDIAN);
        return before;
    }

    @Override
    public int initialPages() {
        return limits.initialPages();
    }

    /** The most pages it can grow to: the module's maximum, the slot's, and Chicory's, whichever is least. */
    @Override
    public int maximumPages() {
        return maximumPages;
    }

    @Override
    public boolean shared() {
        return limits.shared();
    }

    // ---- threads (shared memories are not pooled: one instance uses a pooled memory) ------------

    @Override
    public Object lock(int address) {
        return this;
    }

    @Override
    public int waitOn(int address, int expected, long timeout) {
        throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    @Override
    public int waitOn(int address, long expected, long timeout) {
        throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    @Override
    public int notify(int address, int maxThreads) {
        checkOpen();
        return 0;
    }

    // ---- data segments -------------------------------------------------------------------------

    /**
     * Applies the active data segments in order (a segment out of bounds makes the instance
     * uninstantiable, with Chicory's message), skipping the writes when the slot's image already holds
     * them, and keeps the passive ones for {@code memory.init}. Applied active segments are dropped.
     */
    @Override
    public synchronized void initialize(Instance instance, DataSegment[] dataSegments) {
        checkOpen();
        if (dataSegments == null) {
            return;
        }
        DataSegment[] own = dataSegments.clone();
        // The slot maps the module's image: its owner checked at load that every active segment has a
        // constant offset and fits the initial memory, so there is nothing to check or write (and
        // DataSegment.data() copies the bytes: not calling it matters for a large segment).
        boolean inImage = segmentsInImage && fresh;
        for (int i = 0; i < own.length; i++) {
            DataSegment segment = own[i];
            if (segment instanceof ActiveDataSegment) {
                if (!inImage) {
                    write((ActiveDataSegment) segment, instance);
                }
                own[i] = PassiveDataSegment.EMPTY;
            } else if (!(segment instanceof PassiveDataSegment)) {
                throw new ChicoryException("Data segment should be active or passive: " + segment);
            }
        }
        fresh = false;
        segments = own;
        passiveBytes = new byte[own.length][];
    }

    /** Writes an active segment at its offset, or makes the instance uninstantiable, with Chicory's message. */
    private void write(ActiveDataSegment active, Instance instance) {
        long offset = ConstantOffset.evaluate(instance, active.offsetInstructions());
        byte[] data = active.data();
        int limit = size();
        if (offset > limit || offset + data.length > limit) {
            throw new UninstantiableException("out of bounds memory access: attempted to access address: "
                    + (int) offset + " but limit is: " + limit + " and size: " + data.length);
        }
        view.put((int) offset, data, 0, data.length);
    }

    /**
     * {@code memory.init}: copies {@code size} bytes of passive segment {@code segment} from
     * {@code offset} to {@code dest}. A segment's bytes are fetched once per instance (Chicory hands
     * out a copy at each {@code data()}).
     */
    @Override
    public void initPassiveSegment(int segment, int dest, int offset, int size) {
        DataSegment[] all = segments;
        byte[][] cache = passiveBytes;
        if (segment < 0 || segment >= all.length || cache.length != all.length) {
            checkOpen();
            throw new WasmRuntimeException("unknown data segment " + segment);
        }
        byte[] bytes = cache[segment];
        if (bytes == null) {
            bytes = all[segment].data();
            cache[segment] = bytes;
        }
        write(dest, bytes, offset, size);
    }

    /** {@code data.drop}: the segment's bytes are gone; {@code memory.init} of more than 0 bytes of it traps. */
    @Override
    public synchronized void drop(int segment) {
        checkOpen();
        if (segment >= 0 && segment < segments.length) {
            segments[segment] = PassiveDataSegment.EMPTY;
            passiveBytes[segment] = null;
        }
    }

    // ---- bulk ----------------------------------------------------------------------------------

    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        boolean counted = gate.arrive();
        try {
            ByteBuffer v = view;
            if (offset < 0 || size < 0 || offset > data.length - size || addr < 0 || addr > v.limit() - size) {
                throw outOfBounds(addr, size);
            }
            v.put(addr, data, offset, size);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public byte[] readBytes(int addr, int len) {
        boolean counted = gate.arrive();
        try {
            ByteBuffer v = view;
            if (addr < 0 || len < 0 || addr > v.limit() - len) {
                throw outOfBounds(addr, len);
            }
            byte[] out = new byte[len];
            v.get(addr, out);
            return out;
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    /** Fills {@code [fromIndex, toIndex)} with {@code value} (Chicory's convention: an end, not a length). */
    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        boolean counted = gate.arrive();
        try {
            ByteBuffer v = view;
            if (fromIndex < 0 || toIndex < fromIndex || toIndex > v.limit()) {
                throw outOfBounds(fromIndex, toIndex - fromIndex); // int arithmetic, as Chicory's message
            }
            int length = toIndex - fromIndex;
            if (length < 64) {
                for (int i = fromIndex; i < toIndex; i++) {
                    v.put(i, value);
                }
            } else {
                NativeMemory.fill(address + fromIndex, length, value);
            }
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    /** {@code memory.copy}: the ranges may overlap; the result is as if through a temporary. */
    @Override
    public void copy(int dest, int src, int size) {
        boolean counted = gate.arrive();
        try {
            ByteBuffer v = view;
            int limit = v.limit();
            if (src < 0 || size < 0 || src > limit - size) {
                throw outOfBounds(src, size);
            }
            if (dest < 0 || dest > limit - size) {
                throw outOfBounds(dest, size);
            }
            v.put(dest, v, src, size);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public void zero() {
        checkOpen();
        if (fresh) {
            return; // the pool hands over zeros (and the image's bytes, which initialize writes anyway)
        }
        fill((byte) 0, 0, size());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the memory on " + slot + " was released with its instance");
        }
    }

    // ---- loads and stores: the view's index check is the bounds check ----------------------------

    @Override
    public byte read(int addr) {
        boolean counted = gate.arrive();
        try {
            return view.get(addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 1);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public void writeByte(int addr, byte data) {
        boolean counted = gate.arrive();
        try {
            view.put(addr, data);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 1);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public short readShort(int addr) {
        boolean counted = gate.arrive();
        try {
            return view.getShort(addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 2);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public long readU16(int addr) {
        boolean counted = gate.arrive();
        try {
            return view.getShort(addr) & 0xFFFFL;
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 2);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public void writeShort(int addr, short data) {
        boolean counted = gate.arrive();
        try {
            view.putShort(addr, data);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 2);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public int readInt(int addr) {
        boolean counted = gate.arrive();
        try {
            return view.getInt(addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 4);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public void writeI32(int addr, int data) {
        boolean counted = gate.arrive();
        try {
            view.putInt(addr, data);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 4);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public long readLong(int addr) {
        boolean counted = gate.arrive();
        try {
            return view.getLong(addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 8);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public void writeLong(int addr, long data) {
        boolean counted = gate.arrive();
        try {
            view.putLong(addr, data);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 8);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public float readFloat(int addr) {
        boolean counted = gate.arrive();
        try {
            return view.getFloat(addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 4);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public long readF32(int addr) {
        boolean counted = gate.arrive();
        try {
            return view.getInt(addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 4);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public void writeF32(int addr, float data) {
        boolean counted = gate.arrive();
        try {
            view.putFloat(addr, data);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 4);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public double readDouble(int addr) {
        boolean counted = gate.arrive();
        try {
            return view.getDouble(addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 8);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public long readF64(int addr) {
        boolean counted = gate.arrive();
        try {
            return view.getLong(addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 8);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public void writeF64(int addr, double data) {
        boolean counted = gate.arrive();
        try {
            view.putDouble(addr, data);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, 8);
        } finally {
            if (counted) {
                gate.depart();
            }
        }
    }

    @Override
    public String toString() {
        return "PooledMemory[" + slot + ", pages=" + (closed ? "released" : String.valueOf(pages())) + ", max="
                + maximumPages + "]";
    }
}
