package io.warmpool.metrics;

import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.profile.ProfileSnapshot;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text form of a {@link ProfileSnapshot}: the Prometheus text exposition format (0.0.4) of its
 * {@link ProfileFamily families}, so that the same parser reads a profile file and a scrape of the
 * service's metrics endpoint, which serves the same families.
 *
 * <pre>
 *  # HELP warmpool_profile_dirty_pages Dirty pages a scanned reset found.
 *  # TYPE warmpool_profile_dirty_pages histogram
 *  warmpool_profile_dirty_pages_bucket{kind="memory",le="0"} 0
 *  ...
 *  warmpool_profile_dirty_pages_bucket{kind="memory",le="+Inf"} 7
 *  warmpool_profile_dirty_pages_sum{kind="memory"} 21
 *  warmpool_profile_dirty_pages_count{kind="memory"} 7
 * </pre>
 *
 * Histogram buckets are cumulative, as Prometheus has them; {@code le="+Inf"} counts every
 * observation. The parser ignores comments and every sample whose name does not start with
 * {@code warmpool_profile_}, accepts values written as floats ({@code 4096.0}) and an optional
 * timestamp, and names the line of any error.
 */
public final class ProfileExposition {
    static final String PREFIX = ProfileFamily.PREFIX;
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+-?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"\\s*,?");

    private ProfileExposition() {
    }

    /** Writes {@code profile} as Prometheus text. */
    public static String write(ProfileSnapshot profile) {
        StringBuilder out = new StringBuilder();
        for (ProfileFamily family : ProfileFamily.of(profile)) {
            out.append("# HELP ").append(family.textName()).append(' ').append(family.help()).append('\n');
            out.append("# TYPE ").append(family.textName()).append(' ').append(family.type().label()).append('\n');
            for (ProfileFamily.Sample sample : family.samples()) {
                out.append(sample.name());
                for (int i = 0; i < sample.labelNames().size(); i++) {
                    out.append(i == 0 ? '{' : ',').append(sample.labelNames().get(i)).append("=\"")
                            .append(sample.labelValues().get(i)).append('"');
                }
                if (!sample.labelNames().isEmpty()) {
                    out.append('}');
                }
                out.append(' ').append(sample.value()).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * Reads the profile out of Prometheus text.
     *
     * @throws IllegalArgumentException naming the line that is not exposition text, a histogram whose
     *                                  buckets do not add up, or what the text lacks
     */
    public static ProfileSnapshot parse(CharSequence text) {
        Samples samples = new Samples();
        String[] lines = text.toString().split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("line " + (n + 1) + " is not Prometheus exposition text: " + line);
            }
            if (m.group(1).startsWith(PREFIX)) {
                samples.add(n + 1, m.group(1).substring(PREFIX.length()), labels(n + 1, m.group(2)), value(n + 1, m.group(3)));
            }
        }
        Long pageSize = samples.single("page_size_bytes", "");
        if (pageSize == null) {
            throw new IllegalArgumentException("no " + PREFIX + "page_size_bytes in the text: it holds no warmpool"
                    + " tenant profile");
        }
        if (Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException(PREFIX + "page_size_bytes " + pageSize + " is not a page size (a power of two)");
        }
        Map<SlotKind, ProfileSnapshot.KindProfile> kinds = new EnumMap<>(SlotKind.class);
        for (SlotKind kind : SlotKind.values()) {
            String k = kind.label();
            Long slotBytes = samples.single("slot_bytes", k);
            if (slotBytes == null) {
                continue;
            }
            long keep = samples.required("keep_resident_bytes", k);
            if (slotBytes == 0 || keep > slotBytes) {
                throw new IllegalArgumentException("kind " + k + ": " + PREFIX + "slot_bytes " + slotBytes + " and "
                        + PREFIX + "keep_resident_bytes " + keep + ": a slot has bytes, and keeps at most all of them");
            }
            kinds.put(kind, new ProfileSnapshot.KindProfile(slotBytes, keep,
                    samples.required("resets_total", k + "/true"), samples.required("resets_total", k + "/false"),
                    samples.required("budget_full_resets_total", k), samples.required("dirty_regions_total", k),
                    samples.required("accessible_bytes_total", k), samples.histogram("dirty_pages", k),
                    samples.histogram("dirty_offset_pages", k),
                    // written since the warm-slot bound is priced; an older profile lacks them
                    samples.optionalInt("stripes", k, 1), samples.optionalInt("max_unused_warm_slots", k, -1),
                    samples.optional("acquires_total", k + "/cold", 0) + samples.optional("acquires_total", k + "/affinity", 0)
                            + samples.optional("acquires_total", k + "/warm", 0),
                    samples.optional("acquires_total", k + "/cold", 0), samples.optional("acquires_total", k + "/affinity", 0)));
        }
        return new ProfileSnapshot(pageSize, samples.histogram("in_use_at_acquire", ""), kinds);
    }

    private static Map<String, String> labels(int line, String text) {
        Map<String, String> labels = new HashMap<>();
        if (text == null || text.isBlank()) {
            return labels;
        }
        Matcher m = LABEL.matcher(text);
        int at = 0;
        while (at < text.length() && m.find(at) && m.start() == at) {
            labels.put(m.group(1), m.group(2));
            at = m.end();
        }
        if (at != text.length()) {
            throw new IllegalArgumentException("line " + line + ": cannot read the labels '" + text + "'");
        }
        return labels;
    }

    private static double value(int line, String text) {
        try {
            return switch (text) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(text);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("line " + line + ": '" + text + "' is not a sample value");
        }
    }

    /** The profile's samples by series: name, then kind (and scanned), then bucket. */
    private static final class Samples {
        private final Map<String, Long> singles = new HashMap<>();
        private final Map<String, TreeMap<Long, Long>> buckets = new HashMap<>();
        private final Map<String, Long> overflow = new HashMap<>();

        void add(int line, String name, Map<String, String> labels, double value) {
            String flag = labels.containsKey("scanned") ? labels.get("scanned") : labels.get("result");
            String series = labels.getOrDefault("kind", "") + (flag != null ? "/" + flag : "");
            // every number counts something, but for the warm-slot bound's "unknown", -1
            long v = name.equals("max_unused_warm_slots") && value == -1 ? -1 : count(line, PREFIX + name, value);
            if (name.endsWith("_bucket")) {
                String key = name.substring(0, name.length() - "_bucket".length()) + "|" + series;
                String le = labels.get("le");
                if (le == null) {
                    throw new IllegalArgumentException("line " + line + ": bucket " + PREFIX + name + " has no le label");
                }
                if (le.equals("+Inf")) {
                    overflow.put(key, v);
                } else {
                    buckets.computeIfAbsent(key, x -> new TreeMap<>()).put(count(line, "le", value(line, le)), v);
                }
            } else {
                singles.put(name + "|" + series, v);
            }
        }

        /**
         * Every number of a profile counts something (pages, bytes, resets): a whole number from 0 to
         * the largest long, which may be written as a float ({@code 4096.0}).
         */
        private static long count(int line, String what, double value) {
            if (!(value >= 0 && value < 0x1p63 && value == Math.rint(value))) {
                throw new IllegalArgumentException("line " + line + ": " + what + " " + value
                        + " is not a count (a whole number from 0 to 2^63 - 1)");
            }
            return (long) value;
        }

        Long single(String name, String series) {
            return singles.get(name + "|" + series);
        }

        long optional(String name, String series, long absent) {
            Long v = single(name, series);
            return v == null ? absent : v;
        }

        int optionalInt(String name, String series, int absent) {
            long v = optional(name, series, absent);
            if (v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(PREFIX + name + " for " + describe(series) + ": " + v + " is too large");
            }
            return (int) v;
        }

        long required(String name, String series) {
            Long v = single(name, series);
            if (v == null) {
                throw new IllegalArgumentException("the profile lacks " + PREFIX + name + " for " + describe(series));
            }
            return v;
        }

        ProfileSnapshot.Histogram histogram(String name, String series) {
            String key = name + "|" + series;
            TreeMap<Long, Long> cumulative = buckets.get(key);
            Long total = overflow.get(key);
            if (cumulative == null || total == null) {
                throw new IllegalArgumentException("the profile lacks the histogram " + PREFIX + name + " for "
                        + describe(series) + " (its buckets, le=\"+Inf\" included)");
            }
            List<Long> bounds = new ArrayList<>(cumulative.keySet());
            long[] upper = new long[bounds.size()];
            long[] counts = new long[bounds.size() + 1];
            long before = 0;
            for (int i = 0; i < upper.length; i++) {
                upper[i] = bounds.get(i);
                long c = cumulative.get(upper[i]);
                if (c < before) {
                    throw new IllegalArgumentException(PREFIX + name + " for " + describe(series) + ": bucket le=\""
                            + upper[i] + "\" counts " + c + ", fewer than the bucket before it (" + before + ")");
                }
                counts[i] = c - before;
                before = c;
            }
            if (total < before) {
                throw new IllegalArgumentException(PREFIX + name + " for " + describe(series) + ": le=\"+Inf\" counts "
                        + total + ", fewer than the last bucket (" + before + ")");
            }
            counts[upper.length] = total - before;
            return new ProfileSnapshot.Histogram(upper, counts, required(name + "_sum", series));
        }

        private static String describe(String series) {
            return series.isEmpty() ? "the pool" : String.format(Locale.ROOT, "kind %s", series.replace('/', ' '));
        }
    }
}
