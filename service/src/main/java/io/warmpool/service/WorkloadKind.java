package io.warmpool.service;

import java.util.Locale;

/** What serve's tenants run (the {@code workload} key). */
enum WorkloadKind {
    /** A WebAssembly guest, a fresh instance on a pooled slot per request: {@link WasmWorkload}. */
    WASM,
    /** Page writes that play instances: {@link SyntheticWorkload}. */
    SYNTHETIC;

    /** The name the key takes: {@code wasm}, {@code synthetic}. */
    String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static WorkloadKind fromConfigName(String text) {
        for (WorkloadKind kind : values()) {
            if (kind.configName().equals(text.strip().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("expected wasm or synthetic");
    }
}
