package io.warmpool.pool;

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
 * The text form of a {@link ProfileSnapshot}: the Prometheus text exposition format (0.0.4), so that
 * the same parser reads a profile file and, later, a scrape of the service's metrics endpoint.
 *
 * <pre>
 *  warmpool_profile_page_size_bytes 4096                                          gauge
 *  warmpool_profile_in_use_at_acquire_bucket{le="0"} 1000 ... _sum ... _count     histogram
 *  per kind, labelled kind="memory" | "table" | "stack":
 *    warmpool_profile_slot_bytes, warmpool_profile_keep_resident_bytes             gauges
 *    warmpool_profile_resets_total{scanned="true" | "false"}                         counter
 *    warmpool_profile_budget_full_resets_total, _dirty_regions_total,
 *    warmpool_profile_accessible_bytes_total                                       counters
 *    warmpool_profile_dirty_pages_bucket{le=...}, _sum, _count                     histogram
 *    warmpool_profile_dirty_offset_pages_bucket{le=...}, _sum, _count              histogram
 * </pre>
 *
 * Histogram buckets are cumulative, as Prometheus has them; {@code le="+Inf"} counts every
 * observation. The parser ignores comments and every sample whose name does not start with
 * {@code warmpool_profile_}, accepts an optional timestamp, and names the line of any error.
 */
public final class ProfileExposition {
    static final String PREFIX = "warmpool_profile_";
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+-?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"\\s*,?");

    private ProfileExposition() {
    }

    /** Writes {@code profile} as Prometheus text. */
    public static String write(ProfileSnapshot profile) {
        StringBuilder out = new StringBuilder();
        header(out, "page_size_bytes", "gauge", "The page size the profile counts pages in.");
        out.append(PREFIX).append("page_size_bytes ").append(profile.pageSize()).append('\n');
        header(out, "in_use_at_acquire", "histogram", "Instances already in use when an instance was acquired.");
        histogram(out, "in_use_at_acquire", "", profile.inUseAtAcquire());
        Map<SlotKind, ProfileSnapshot.KindProfile> kinds = profile.kinds();
        header(out, "slot_bytes", "gauge", "The most bytes a slot of the kind holds.");
        kinds.forEach((k, p) -> gauge(out, "slot_bytes", k, p.slotBytes()));
        header(out, "keep_resident_bytes", "gauge", "The keep-resident bytes per slot when the profile was taken.");
        kinds.forEach((k, p) -> gauge(out, "keep_resident_bytes", k, p.keepResidentBytes()));
        header(out, "resets_total", "counter", "Resets, by whether they scanned for dirty pages (only those that"
                + " scanned fill the histograms).");
        kinds.forEach((k, p) -> {
            sample(out, "resets_total", kind(k) + ",scanned=\"true\"", p.scannedResets());
            sample(out, "resets_total", kind(k) + ",scanned=\"false\"", p.unscannedResets());
        });
        header(out, "budget_full_resets_total", "counter", "Scanned resets that filled the keep-resident budget,"
                + " so that the scan stopped there.");
        kinds.forEach((k, p) -> sample(out, "budget_full_resets_total", kind(k), p.budgetFullResets()));
        header(out, "dirty_regions_total", "counter", "Dirty regions the scanned resets found.");
        kinds.forEach((k, p) -> sample(out, "dirty_regions_total", kind(k), p.dirtyRegions()));
        header(out, "accessible_bytes_total", "counter", "Accessible bytes of the scanned resets, summed.");
        kinds.forEach((k, p) -> sample(out, "accessible_bytes_total", kind(k), p.accessibleBytes()));
        header(out, "dirty_pages", "histogram", "Dirty pages a scanned reset found.");
        kinds.forEach((k, p) -> histogram(out, "dirty_pages", kind(k), p.dirtyPages()));
        header(out, "dirty_offset_pages", "histogram", "Dirty pages found, by page number from the slot's hot end,"
                + " from 1 (a memory's or table's first page, a stack's top page).");
        kinds.forEach((k, p) -> histogram(out, "dirty_offset_pages", kind(k), p.dirtyOffsetPages()));
        return out.toString();
    }

    private static String kind(SlotKind kind) {
        return "kind=\"" + kind.label() + "\"";
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(PREFIX).append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(PREFIX).append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(StringBuilder out, String name, SlotKind kind, long value) {
        sample(out, name, kind(kind), value);
    }

    private static void sample(StringBuilder out, String name, String labels, long value) {
        out.append(PREFIX).append(name);
        if (!labels.isEmpty()) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(value).append('\n');
    }

    private static void histogram(StringBuilder out, String name, String labels, ProfileSnapshot.Histogram h) {
        String sep = labels.isEmpty() ? "" : labels + ",";
        long cumulative = 0;
        long[] bounds = h.upperBounds();
        long[] counts = h.counts();
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts[i];
            sample(out, name + "_bucket", sep + "le=\"" + bounds[i] + "\"", cumulative);
        }
        cumulative += counts[bounds.length];
        sample(out, name + "_bucket", sep + "le=\"+Inf\"", cumulative);
        sample(out, name + "_sum", labels, h.sum());
        sample(out, name + "_count", labels, cumulative);
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
        Map<SlotKind, ProfileSnapshot.KindProfile> kinds = new EnumMap<>(SlotKind.class);
        for (SlotKind kind : SlotKind.values()) {
            String k = kind.label();
            Long slotBytes = samples.single("slot_bytes", k);
            if (slotBytes == null) {
                continue;
            }
            kinds.put(kind, new ProfileSnapshot.KindProfile(slotBytes, samples.required("keep_resident_bytes", k),
                    samples.required("resets_total", k + "/true"), samples.required("resets_total", k + "/false"),
                    samples.required("budget_full_resets_total", k), samples.required("dirty_regions_total", k),
                    samples.required("accessible_bytes_total", k), samples.histogram("dirty_pages", k),
                    samples.histogram("dirty_offset_pages", k)));
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
            String series = labels.getOrDefault("kind", "") + (labels.containsKey("scanned") ? "/" + labels.get("scanned") : "");
            long v = Math.round(value);
            if (name.endsWith("_bucket")) {
                String key = name.substring(0, name.length() - "_bucket".length()) + "|" + series;
                String le = labels.get("le");
                if (le == null) {
                    throw new IllegalArgumentException("line " + line + ": bucket " + PREFIX + name + " has no le label");
                }
                if (le.equals("+Inf")) {
                    overflow.put(key, v);
                } else {
                    buckets.computeIfAbsent(key, x -> new TreeMap<>()).put(Math.round(value(line, le)), v);
                }
            } else {
                singles.put(name + "|" + series, v);
            }
        }

        Long single(String name, String series) {
            return singles.get(name + "|" + series);
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
