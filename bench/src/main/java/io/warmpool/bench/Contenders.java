package io.warmpool.bench;

import io.warmpool.pool.config.ResetStrategy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Every contender of the bench by name, in the order the table lists them. */
public final class Contenders {
    private static final Map<String, Supplier<Contender>> ALL = new LinkedHashMap<>();

    static {
        for (ResetStrategy strategy : ResetStrategy.values()) {
            ALL.put(strategy.configName(), () -> new PoolContender(strategy));
        }
        ALL.put("c-pagemap-guided", () -> new CReference(ResetStrategy.PAGEMAP_GUIDED));
        ALL.put("c-memset-keep-resident", () -> new CReference(ResetStrategy.MEMSET_KEEP_RESIDENT));
        ALL.put("c-madvise-all", () -> new CReference(ResetStrategy.MADVISE_ALL));
        ALL.put("c-written-tracked", () -> new CReference(ResetStrategy.WRITTEN_TRACKED));
        ALL.put("allocate-direct", DirectBufferContender::new);
        ALL.put("mmap-munmap", MmapContender::new);
    }

    private Contenders() {
    }

    /** Every name, in table order. */
    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /**
     * The contenders named, in table order, each once; {@code "all"} names every one.
     *
     * @throws IllegalArgumentException naming an unknown name and the known ones
     */
    public static List<Contender> named(List<String> names) {
        List<String> wanted = new ArrayList<>();
        for (String raw : names) {
            String name = raw.trim();
            if (name.equals("all")) {
                wanted.addAll(ALL.keySet());
            } else if (ALL.containsKey(name)) {
                wanted.add(name);
            } else {
                throw new IllegalArgumentException("unknown strategy or contender '" + name + "'; expected all or"
                        + " some of " + String.join(", ", ALL.keySet()));
            }
        }
        List<Contender> out = new ArrayList<>();
        for (Map.Entry<String, Supplier<Contender>> e : ALL.entrySet()) {
            if (wanted.contains(e.getKey())) {
                out.add(e.getValue().get());
            }
        }
        return out;
    }
}
