package io.warmpool.pagemap;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a {@link PagemapScanner} finds pages.
 */
public enum ScanMode {
    /** {@code PAGEMAP_SCAN} where the capability probe says it works, else {@code pread} of pagemap. */
    AUTO("auto"),
    /** The {@code PAGEMAP_SCAN} ioctl (Linux 6.7+); fails where the kernel lacks it. */
    PAGEMAP_SCAN("pagemap-scan"),
    /** {@code pread} of {@code /proc/self/pagemap}, eight bytes a page: slower, works since 2.6.25. */
    PAGEMAP_READ("pagemap-read"),
    /** No scanning: resets that need a scanner fall back to the ones that do not. */
    NONE("none");

    private final String configName;

    ScanMode(String configName) {
        this.configName = configName;
    }

    /** The name in configuration files and on the command line, such as {@code "pagemap-scan"}. */
    public String configName() {
        return configName;
    }

    /**
     * The mode with this configuration name.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static ScanMode fromConfigName(String name) {
        for (ScanMode mode : values()) {
            if (mode.configName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown scan mode '" + name + "'; expected one of "
                + Arrays.stream(values()).map(ScanMode::configName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return configName;
    }
}
