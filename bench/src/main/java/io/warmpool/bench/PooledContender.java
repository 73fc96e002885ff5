package io.warmpool.bench;

import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A contender whose tenant memory is a pooled slot: the life of the pool and of the cycle's
 * instance, whatever the pool is configured with and asked for.
 *
 * <pre>
 *  setUp     pool = WarmPool.create(config(workload));  requests = requests(pool, workload)
 *  acquire   instance = pool.acquire(the next of the requests, in turn); a view of its memory's spread
 *  release   instance.close(): the pool resets the slot
 *  resident  PAGEMAP_SCAN of the slab (pool.residentBytes of the memories)
 *  tearDown  the instance still held (a cycle that failed), then the pool
 * </pre>
 */
abstract class PooledContender extends InProcessContender {
    private WarmPool pool;
    private InstanceRequest[] requests;
    private int next;
    private Instance instance;

    /** The pool's configuration for a workload. */
    abstract PoolConfig config(Workload workload);

    /** What the cycles acquire of {@code pool}, one request a cycle, taken in turn; at least one. */
    abstract List<InstanceRequest> requests(WarmPool pool, Workload workload);

    /** How {@link #resident()} found its bytes, for the reader. */
    String residentHow() {
        return "PAGEMAP_SCAN of the slab";
    }

    /** The pool of this run. */
    final WarmPool pool() {
        return pool;
    }

    /** The instance the current cycle holds. */
    final Instance instance() {
        return instance;
    }

    @Override
    protected void setUp(Workload workload) {
        pool = WarmPool.create(config(workload));
        requests = requests(pool, workload).toArray(InstanceRequest[]::new);
    }

    @Override
    protected ByteBuffer acquire(Workload workload) {
        instance = pool.acquire(requests[next]);
        next = next + 1 < requests.length ? next + 1 : 0;
        return instance.memory(0).buffer(0, (int) workload.spreadBytes());
    }

    @Override
    protected final void release() {
        instance.close();
        instance = null;
    }

    @Override
    protected Resident resident() {
        return new Resident(pool.residentBytes(SlotKind.MEMORY), residentHow());
    }

    @Override
    protected void tearDown() {
        if (instance != null) {
            release();
        }
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }
}
