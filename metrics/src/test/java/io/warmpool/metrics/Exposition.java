package io.warmpool.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Prometheus text format, read back for assertions: one sample a line, {@code # TYPE} lines. */
final class Exposition {
    /** Each sample's series ({@code name{labels}}) and value, in order. */
    final List<Map.Entry<String, Double>> samples = new ArrayList<>();
    /** Each family's type, by the name on its {@code # TYPE} line. */
    final Map<String, String> types = new LinkedHashMap<>();
    /** Family names whose {@code # TYPE} line appeared more than once. */
    final List<String> repeatedTypes = new ArrayList<>();

    Exposition(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                if (types.put(parts[2], parts[3]) != null) {
                    repeatedTypes.add(parts[2]);
                }
            } else if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.add(Map.entry(line.substring(0, space), Double.parseDouble(line.substring(space + 1))));
            }
        }
    }

    /** The value of the one series named exactly {@code series}, such as {@code a_total{kind="memory"}}. */
    double value(String series) {
        return samples.stream().filter(e -> e.getKey().equals(series)).mapToDouble(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + series));
    }

    /** Sum of every series of sample name {@code name} whose labels contain each of {@code labels}. */
    double sum(String name, String... labels) {
        double total = 0;
        for (Map.Entry<String, Double> e : samples) {
            String series = e.getKey();
            if (!sampleName(series).equals(name)) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= series.contains(label);
            }
            if (all) {
                total += e.getValue();
            }
        }
        return total;
    }

    static String sampleName(String series) {
        int brace = series.indexOf('{');
        return brace < 0 ? series : series.substring(0, brace);
    }
}
