package io.warmpool.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as an SVG document, small enough to need no library: axes with labelled ticks
 * (logarithmic or linear), one coloured polyline with point markers per series, and a legend.
 *
 * <pre>
 *   +--------------------------------------------------+
 *   | title                                            |
 *   |   y ^                          legend            |
 *   |     |   o----o                 -- series 1       |
 *   |     |  /      \---o            -- series 2       |
 *   |     +-------------------> x                      |
 *   +--------------------------------------------------+
 * </pre>
 *
 * On a logarithmic axis, values at or below zero cannot be drawn and are left out of their series.
 */
final class SvgPlot {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;
    private static final int LEFT = 80;
    private static final int RIGHT = 260;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    private final String title;
    private final Axis x;
    private final Axis y;
    private final List<Series> series = new ArrayList<>();

    /** One axis: its label and whether it is logarithmic. */
    record Axis(String label, boolean log) {
    }

    private record Series(String name, double[] xs, double[] ys) {
    }

    SvgPlot(String title, Axis x, Axis y) {
        this.title = title;
        this.x = x;
        this.y = y;
    }

    /** Adds a series; the points are drawn in the order given. */
    SvgPlot series(String name, double[] xs, double[] ys) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException(name + ": " + xs.length + " x values and " + ys.length + " y values");
        }
        series.add(new Series(name, xs.clone(), ys.clone()));
        return this;
    }

    /** The SVG document. */
    String render() {
        double[] xr = range(x, true);
        double[] yr = range(y, false);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        out.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"28\" font-size=\"16\">%s</text>%n", LEFT, escape(title)));
        int plotRight = WIDTH - RIGHT;
        int plotBottom = HEIGHT - BOTTOM;
        out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                + " stroke=\"#333\"/>%n", LEFT, TOP, plotRight - LEFT, plotBottom - TOP));
        for (double t : ticks(x, xr)) {
            double px = scale(x, t, xr, LEFT, plotRight);
            out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP, px, plotBottom, px,
                    plotBottom + 18, label(t)));
        }
        for (double t : ticks(y, yr)) {
            double py = scale(y, t, yr, plotBottom, TOP);
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, py, plotRight, py, LEFT - 6,
                    py + 4, label(t)));
        }
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                (LEFT + plotRight) / 2, HEIGHT - 18, escape(x.label() + (x.log() ? " (log)" : ""))));
        out.append(String.format(Locale.ROOT, "<text transform=\"translate(18,%d) rotate(-90)\" text-anchor=\"middle\">"
                + "%s</text>%n", (TOP + plotBottom) / 2, escape(y.label() + (y.log() ? " (log)" : ""))));
        for (int s = 0; s < series.size(); s++) {
            Series line = series.get(s);
            String colour = COLOURS[s % COLOURS.length];
            StringBuilder points = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (int i = 0; i < line.xs().length; i++) {
                if (!drawable(x, line.xs()[i]) || !drawable(y, line.ys()[i])) {
                    continue;
                }
                double px = scale(x, line.xs()[i], xr, LEFT, plotRight);
                double py = scale(y, line.ys()[i], yr, plotBottom, TOP);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                marks.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", px, py,
                        colour));
            }
            out.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\""
                    + " points=\"%s\"/>%s%n", colour, points.toString().strip(), marks));
            int ly = TOP + 10 + 20 * s;
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">%s</text>%n", plotRight + 16, ly, plotRight + 40,
                    ly, colour, plotRight + 46, ly + 4, escape(line.name())));
        }
        return out.append("</svg>\n").toString();
    }

    private static boolean drawable(Axis axis, double v) {
        return Double.isFinite(v) && (!axis.log() || v > 0);
    }

    /** The axis' range over every drawable value, widened so that a single value still has room. */
    private double[] range(Axis axis, boolean isX) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : isX ? s.xs() : s.ys()) {
                if (drawable(axis, v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return axis.log() ? new double[] {1, 10} : new double[] {0, 1};
        }
        if (axis.log()) {
            double low = Math.pow(10, Math.floor(Math.log10(lo)));
            double high = Math.pow(10, Math.ceil(Math.log10(hi)));
            return new double[] {low, high > low ? high : low * 10};
        }
        double low = Math.min(0, lo);
        return new double[] {low, hi > low ? hi * 1.05 : low + 1};
    }

    private static double scale(Axis axis, double v, double[] range, double from, double to) {
        double t = axis.log() ? (Math.log10(v) - Math.log10(range[0])) / (Math.log10(range[1]) - Math.log10(range[0]))
                : (v - range[0]) / (range[1] - range[0]);
        return from + t * (to - from);
    }

    /** Powers of ten on a log axis; five to ten round steps on a linear one. */
    static List<Double> ticks(Axis axis, double[] range) {
        List<Double> ticks = new ArrayList<>();
        if (axis.log()) {
            for (double t = range[0]; t <= range[1] * 1.0001; t *= 10) {
                ticks.add(t);
            }
            return ticks;
        }
        double span = range[1] - range[0];
        double step = Math.pow(10, Math.floor(Math.log10(span)));
        if (span / step < 4) {
            step /= 2;
        }
        for (double t = Math.ceil(range[0] / step) * step; t <= range[1] + step * 1e-9; t += step) {
            ticks.add(t);
        }
        return ticks;
    }

    private static String label(double v) {
        if (v != 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-2)) {
            return String.format(Locale.ROOT, "%.0e", v);
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
