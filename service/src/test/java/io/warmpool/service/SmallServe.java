package io.warmpool.service;

import java.util.HashMap;
import java.util.Map;

/** The flags of a small, quick serve for tests: a few slots, one tenant, any free port. */
final class SmallServe {
    private SmallServe() {
    }

    static Map<String, String> flags(String... more) {
        Map<String, String> flags = new HashMap<>(Map.ofEntries(Map.entry("pool.memories", "4"),
                Map.entry("pool.memory-max", "4MiB"), Map.entry("pool.memory-guard", "64KiB"),
                Map.entry("pool.memory-keep-resident", "256KiB"), Map.entry("pool.tables", "4"),
                Map.entry("pool.stacks", "4"), Map.entry("workload.threads", "1"), Map.entry("workload.memory-max", "1MiB"),
                Map.entry("workload.modules", "3"), Map.entry("workload.seed", "7"), Map.entry("metrics.port", "0"),
                Map.entry("summary-interval", "200ms")));
        for (int i = 0; i + 1 < more.length; i += 2) {
            flags.put(more[i], more[i + 1]);
        }
        return flags;
    }

    static Configuration config(String... more) {
        return Configuration.load("serve", ServeSettings.KEYS, null, Map.of(), flags(more));
    }
}
