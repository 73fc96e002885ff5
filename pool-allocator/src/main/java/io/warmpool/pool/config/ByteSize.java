package io.warmpool.pool.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as operators write them: {@code 4096}, {@code 64KiB}, {@code 1 GiB}, {@code 16m}.
 * Binary units only (a {@code k} or {@code KB} means 1024 too, since page sizes are binary).
 */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteSize() {
    }

    /**
     * Parses a size such as {@code "64MiB"}.
     *
     * @throws IllegalArgumentException naming the text when it is not a size or overflows a long
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a byte size (examples: 4096, 64KiB, 16MiB, 4GiB)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        try {
            long value = Long.parseLong(m.group(1));
            if (value > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("byte size '" + text + "' does not fit in 63 bits", e);
        }
    }

    /**
     * {@code bytes} as {@link #parse} reads it back exactly: in the largest binary unit that divides
     * it, without a space ({@code 64KiB}, {@code 1GiB}, {@code 4097}).
     */
    public static String text(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        int unit = 0;
        long value = bytes;
        while (value % 1024 == 0 && unit < 4) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? Long.toString(value) : value + UNITS[unit];
    }

    /** Formats {@code bytes} in the largest binary unit that keeps it at or above 1, such as {@code "1.5 MiB"}. */
    public static String format(long bytes) {
        if (bytes < 1024 && bytes > -1024) {
            return bytes + " B";
        }
        int unit = 0;
        double value = bytes;
        while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        if (value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%d %s", (long) value, UNITS[unit]);
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
