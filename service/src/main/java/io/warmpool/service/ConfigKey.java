package io.warmpool.service;

import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolSetting;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configuration key: its name in files and flags ({@code pool.memories}, {@code --pool.memories}),
 * its environment variable ({@code WARMPOOL_POOL_MEMORIES}), its default and how its text becomes a
 * value. A parser throws {@link IllegalArgumentException} with a message that says what is wrong;
 * {@link Configuration} adds the key, the text and where the text came from.
 *
 * @param name         the key, lower case, words joined by {@code -}, groups by {@code .}
 * @param defaultText  the default, as text; parsed like any other value
 * @param description  one line for {@code --help}
 * @param parser       text to value
 */
public record ConfigKey<T>(String name, String defaultText, String description, Function<String, T> parser) {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
    /** The longest duration whose nanoseconds fit in a long, in whole hours. */
    private static final long MAX_DURATION_HOURS = Long.MAX_VALUE / 3_600_000_000_000L;

    /** The environment variable that sets this key. */
    public String envName() {
        return "WARMPOOL_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Parses {@code text} as this key's value. */
    public T parse(String text) {
        return parser.apply(text.trim());
    }

    /** A pool setting's whole number from {@code min} to {@code max}, by its one name and description. */
    public static ConfigKey<Integer> integer(PoolSetting setting, int defaultValue, int min, int max) {
        return integer(setting.key(), defaultValue, min, max, setting.description());
    }

    /** A pool setting's whole number at least {@code min}, by its one name and description. */
    public static ConfigKey<Long> wholeNumber(PoolSetting setting, long defaultValue, long min) {
        return wholeNumber(setting.key(), defaultValue, min, setting.description());
    }

    /** A pool setting's byte size, by its one name and description. */
    public static ConfigKey<Long> bytes(PoolSetting setting, long defaultValue) {
        return bytes(setting.key(), defaultValue, setting.description());
    }

    /** A whole number from {@code min} to {@code max}. */
    public static ConfigKey<Integer> integer(String name, int defaultValue, int min, int max, String description) {
        return new ConfigKey<>(name, Integer.toString(defaultValue), description, text -> (int) parseLong(text, min, max));
    }

    /** A whole number at least {@code min}, up to 64 bits. */
    public static ConfigKey<Long> wholeNumber(String name, long defaultValue, long min, String description) {
        return new ConfigKey<>(name, Long.toString(defaultValue), description, text -> parseLong(text, min, Long.MAX_VALUE));
    }

    private static long parseLong(String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(max == Long.MAX_VALUE ? "must be at least " + min
                    : "must be between " + min + " and " + max);
        }
        return value;
    }

    /** A byte size such as {@code 4096}, {@code 64KiB} or {@code 1GiB}. */
    public static ConfigKey<Long> bytes(String name, long defaultValue, String description) {
        return new ConfigKey<>(name, ByteSize.text(defaultValue), description, ByteSize::parse);
    }

    /** A duration: a whole number with {@code ms}, {@code s}, {@code m} or {@code h} (bare numbers are seconds). */
    public static ConfigKey<Duration> duration(String name, String defaultText, String description) {
        return new ConfigKey<>(name, defaultText, description, ConfigKey::parseDuration);
    }

    /** {@code true} or {@code false}. */
    public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String description) {
        return new ConfigKey<>(name, Boolean.toString(defaultValue), description, text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        });
    }

    /** Any text that is not empty. */
    public static ConfigKey<String> text(String name, String defaultValue, String description) {
        return new ConfigKey<>(name, defaultValue, description, text -> {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("must not be empty");
            }
            return text;
        });
    }

    /** A file path, or none: the empty text (the default). */
    public static ConfigKey<Optional<Path>> optionalPath(String name, String description) {
        return new ConfigKey<>(name, "", description, text -> text.isEmpty() ? Optional.empty() : Optional.of(Path.of(text)));
    }

    /** {@code d} as {@link #parseDuration} reads it back: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /**
     * A duration such as {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}; a bare number is seconds.
     * One whose nanoseconds do not fit in a long (about 292 years) is refused.
     */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration (examples: 500ms, 30s, 2m, 1h)");
        }
        long amount;
        try {
            amount = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("duration too long");
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        try {
            Duration duration = switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
            duration.toNanos(); // durations are counted in nanoseconds (System.nanoTime deadlines)
            return duration;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration too long (at most " + MAX_DURATION_HOURS + "h)");
        }
    }
}
