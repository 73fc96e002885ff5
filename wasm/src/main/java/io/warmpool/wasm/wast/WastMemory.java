package io.warmpool.wasm.wast;

import java.util.Locale;

/** Which linear memory the spec scripts' modules get. */
public enum WastMemory {
    /** Chicory's own heap memory ({@code ByteBufferMemory}): the reference for the differential test. */
    CHICORY("chicory"),
    /** A pooled memory on a slot of the runner's pool, acquired per module and released after it. */
    POOLED("pooled");

    private final String configName;

    WastMemory(String configName) {
        this.configName = configName;
    }

    /** The name on the command line. */
    public String configName() {
        return configName;
    }

    /**
     * The memory with this name.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static WastMemory fromConfigName(String name) {
        for (WastMemory m : values()) {
            if (m.configName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown memory '" + name + "'; expected chicory or pooled");
    }

    @Override
    public String toString() {
        return configName;
    }
}
