package io.warmpool.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL a Grafana dashboard runs (every panel's targets, rows' panels included, and its
 * query variables) and the metric and label names each query reads.
 *
 * <pre>
 *  strings emptied, [ranges] dropped                       "…" -> "",  [$__rate_interval] -> ␣
 *  label_values(metric{…}, label)                          a metric, a label, and the selector's labels
 *  {label=~"…", …}                                         labels
 *  by / without / on / ignoring / group_x ( a, b )         labels
 *  any other word not followed by '(' and not a keyword    a metric
 * </pre>
 */
final class DashboardQueries {
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "offset", "and", "or", "unless", "inf", "nan", "sum", "min", "max", "avg", "count", "stddev",
            "stdvar", "topk", "bottomk", "quantile", "count_values", "group");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
    private static final Pattern LABEL_VALUES = Pattern.compile(
            "label_values\\(\\s*([a-zA-Z_:][\\w:]*)\\s*(\\{[^}]*\\})?\\s*,\\s*(\\w+)\\s*\\)");
    private static final Pattern SELECTOR = Pattern.compile("\\{([^}]*)\\}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_]\\w*)\\s*(?:=~|!~|!=|=)");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern WORD = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    /** One query: where in the dashboard, its PromQL, and the names it reads. */
    record Query(String where, String promql, Set<String> metrics, Set<String> labels) {
    }

    private DashboardQueries() {
    }

    /** Every query of the dashboard at {@code path}. */
    @SuppressWarnings("unchecked")
    static List<Query> of(Path path) throws IOException {
        Map<String, Object> dashboard = (Map<String, Object>) JsonReader.parse(Files.readString(path));
        List<Query> out = new ArrayList<>();
        panels((List<Object>) dashboard.get("panels"), out);
        Map<String, Object> templating = (Map<String, Object>) dashboard.get("templating");
        for (Object o : (List<Object>) templating.get("list")) {
            Map<String, Object> variable = (Map<String, Object>) o;
            if ("query".equals(variable.get("type"))) {
                Object query = variable.get("query");
                String promql = query instanceof Map<?, ?> m ? (String) m.get("query") : (String) query;
                out.add(parse("variable $" + variable.get("name"), promql));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void panels(List<Object> panels, List<Query> out) {
        for (Object o : panels) {
            Map<String, Object> panel = (Map<String, Object>) o;
            if (panel.get("panels") instanceof List<?> nested) {
                panels((List<Object>) nested, out);
            }
            if (panel.get("targets") instanceof List<?> targets) {
                for (Object t : targets) {
                    Map<String, Object> target = (Map<String, Object>) t;
                    out.add(parse("panel '" + panel.get("title") + "' target " + target.get("refId"), (String) target.get("expr")));
                }
            }
        }
    }

    /** The metric and label names {@code promql} reads. */
    static Query parse(String where, String promql) {
        Set<String> metrics = new TreeSet<>();
        Set<String> labels = new TreeSet<>();
        String s = RANGE.matcher(STRING.matcher(promql).replaceAll("\"\"")).replaceAll(" ");
        Matcher m = LABEL_VALUES.matcher(s);
        while (m.find()) {
            metrics.add(m.group(1));
            labels.add(m.group(3));
            if (m.group(2) != null) {
                Matcher label = MATCHER.matcher(m.group(2));
                while (label.find()) {
                    labels.add(label.group(1));
                }
            }
        }
        s = m.replaceAll(" ");
        m = SELECTOR.matcher(s);
        while (m.find()) {
            Matcher label = MATCHER.matcher(m.group(1));
            while (label.find()) {
                labels.add(label.group(1));
            }
        }
        s = m.replaceAll(" ");
        m = GROUPING.matcher(s);
        while (m.find()) {
            for (String label : m.group(2).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.strip());
                }
            }
        }
        s = m.replaceAll(" ");
        m = WORD.matcher(s);
        while (m.find()) {
            boolean partOfNumber = m.start() > 0 && (Character.isDigit(s.charAt(m.start() - 1)) || s.charAt(m.start() - 1) == '.');
            boolean function = s.substring(m.end()).stripLeading().startsWith("(");
            if (!partOfNumber && !function && !KEYWORDS.contains(m.group())) {
                metrics.add(m.group());
            }
        }
        return new Query(where, promql, metrics, labels);
    }

    /**
     * The metrics {@code promql} reads somewhere without every one of {@code matchers} (such as
     * {@code job=~"$job"}) in the selector that follows the name.
     */
    static Set<String> unscoped(String promql, List<String> matchers) {
        Set<String> out = new TreeSet<>();
        for (String metric : parse("", promql).metrics()) {
            Matcher use = Pattern.compile("(?<![\\w:])" + Pattern.quote(metric) + "(?![\\w:])\\s*(\\{[^}]*\\})?").matcher(promql);
            while (use.find()) {
                String selector = use.group(1) == null ? "" : use.group(1);
                if (!matchers.stream().allMatch(selector::contains)) {
                    out.add(metric);
                }
            }
        }
        return out;
    }
}
