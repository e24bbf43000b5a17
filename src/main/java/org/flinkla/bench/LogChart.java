/*
 * Copyright 2026 The flink-linear-attention authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package org.flinkla.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A hand-written SVG line chart with a logarithmic x axis and a logarithmic or linear y axis, for
 * the scaling curves: one polyline with point markers per series, an optional note at a series'
 * last point (e.g. "OutOfMemoryError at 16k tokens"), horizontal reference lines, a legend.
 * Plain SVG 1.1, no scripts or external fonts.
 *
 * <pre>{@code
 * String svg = new LogChart("Heap after GC", "tokens", "MiB", true)
 *     .series("linear", "#1b9e77", xs, ys, null)
 *     .render(800, 420);
 * }</pre>
 */
public final class LogChart {
    private record Series(String name, String color, double[] x, double[] y, String endNote) {}

    private record HLine(double y, String label) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();
    private final List<HLine> hlines = new ArrayList<>();
    private String subtitle = "";

    public LogChart(String title, String xLabel, String yLabel, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logY = logY;
    }

    /** A series; non-positive x (or y on a log axis) points are skipped. {@code endNote} may be null. */
    public LogChart series(String name, String color, double[] x, double[] y, String endNote) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(name + ": " + x.length + " x values but " + y.length + " y values");
        }
        series.add(new Series(name, color, x, y, endNote));
        return this;
    }

    public LogChart hline(double y, String label) {
        hlines.add(new HLine(y, label));
        return this;
    }

    public LogChart subtitle(String s) {
        subtitle = s;
        return this;
    }

    public String render(int width, int height) {
        double left = 78;
        double right = 24;
        double top = subtitle.isEmpty() ? 40 : 56;
        double bottom = 56 + 18 * series.size();
        double pw = width - left - right;
        double ph = height - top - bottom;

        double xmin = Double.POSITIVE_INFINITY;
        double xmax = Double.NEGATIVE_INFINITY;
        double ymin = Double.POSITIVE_INFINITY;
        double ymax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (usable(s.x[i], s.y[i])) {
                    xmin = Math.min(xmin, s.x[i]);
                    xmax = Math.max(xmax, s.x[i]);
                    ymin = Math.min(ymin, s.y[i]);
                    ymax = Math.max(ymax, s.y[i]);
                }
            }
        }
        for (HLine h : hlines) {
            ymin = Math.min(ymin, h.y);
            ymax = Math.max(ymax, h.y);
        }
        if (xmin > xmax) { // nothing to draw
            xmin = 1;
            xmax = 10;
            ymin = 1;
            ymax = 10;
        }
        double lx0 = Math.floor(Math.log10(xmin));
        double lx1 = Math.max(Math.ceil(Math.log10(xmax)), lx0 + 1);
        double y0;
        double y1;
        if (logY) {
            y0 = Math.floor(Math.log10(ymin));
            y1 = Math.max(Math.ceil(Math.log10(ymax)), y0 + 1);
        } else {
            y0 = 0;
            y1 = niceCeil(ymax * 1.08);
        }
        final double fy0 = y0;
        final double fy1 = y1;
        java.util.function.DoubleUnaryOperator px = v -> left + (Math.log10(v) - lx0) / (lx1 - lx0) * pw;
        java.util.function.DoubleUnaryOperator py = v -> top + ph
                - ((logY ? Math.log10(v) : v) - fy0) / (fy1 - fy0) * ph;

        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        sb.append(text(width / 2.0, 22, title, "middle", "font-size=\"15\" font-weight=\"bold\""));
        if (!subtitle.isEmpty()) {
            sb.append(text(width / 2.0, 40, subtitle, "middle", "fill=\"#555\""));
        }
        // grid and ticks: decades on the x axis (with 2 and 5 minor lines), decades or nice steps on y
        for (double d = lx0; d <= lx1 + 1e-9; d++) {
            double x = px.applyAsDouble(Math.pow(10, d));
            sb.append(line(x, top, x, top + ph, "#ccc", 1));
            sb.append(text(x, top + ph + 16, decade(d), "middle", ""));
            for (int m : new int[] {2, 5}) {
                double v = m * Math.pow(10, d);
                if (Math.log10(v) < lx1) {
                    double xm = px.applyAsDouble(v);
                    sb.append(line(xm, top, xm, top + ph, "#eee", 1));
                }
            }
        }
        if (logY) {
            for (double d = y0; d <= y1 + 1e-9; d++) {
                double y = py.applyAsDouble(Math.pow(10, d));
                sb.append(line(left, y, left + pw, y, "#ccc", 1));
                sb.append(text(left - 6, y + 4, decade(d), "end", ""));
            }
        } else {
            double step = niceCeil(y1 / 5);
            for (double v = 0; v <= y1 + 1e-9; v += step) {
                double y = py.applyAsDouble(v);
                sb.append(line(left, y, left + pw, y, "#ccc", 1));
                sb.append(text(left - 6, y + 4, compact(v), "end", ""));
            }
        }
        sb.append(line(left, top + ph, left + pw, top + ph, "#333", 1));
        sb.append(line(left, top, left, top + ph, "#333", 1));
        sb.append(text(left + pw / 2, top + ph + 36, xLabel, "middle", ""));
        sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 %.1f)\">%s</text>%n", top + ph / 2, top + ph / 2, esc(yLabel)));

        for (HLine h : hlines) {
            double y = py.applyAsDouble(h.y);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#b00\" "
                    + "stroke-dasharray=\"6 4\"/>%n", left, y, left + pw, y));
            sb.append(text(left + pw - 4, y - 5, h.label, "end", "fill=\"#b00\""));
        }
        int idx = 0;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            double lastX = Double.NaN;
            double lastY = Double.NaN;
            for (int i = 0; i < s.x.length; i++) {
                if (!usable(s.x[i], s.y[i])) {
                    continue;
                }
                lastX = px.applyAsDouble(s.x[i]);
                lastY = py.applyAsDouble(s.y[i]);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", lastX, lastY));
            }
            if (pts.length() > 0) {
                sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                        + "points=\"%s\"/>%n", s.color, pts.toString().strip()));
                for (String p : pts.toString().strip().split(" ")) {
                    String[] xy = p.split(",");
                    sb.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"2.2\" fill=\"%s\"/>%n",
                            xy[0], xy[1], s.color));
                }
                if (s.endNote != null) {
                    sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"none\" "
                            + "stroke=\"%s\" stroke-width=\"2\"/>%n", lastX, lastY, s.color));
                    boolean leftSide = lastX > left + pw * 0.6;
                    sb.append(text(lastX + (leftSide ? -8 : 8), lastY - 8, s.endNote, leftSide ? "end" : "start",
                            "fill=\"" + s.color + "\""));
                }
            }
            double ly = top + ph + 52 + 18 * idx++;
            sb.append(line(left, ly - 4, left + 24, ly - 4, s.color, 3));
            sb.append(text(left + 30, ly, s.name, "start", ""));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private boolean usable(double x, double y) {
        return x > 0 && Double.isFinite(x) && Double.isFinite(y) && (!logY || y > 0);
    }

    /** 10^d as 1, 10, 100, 1k, 10k, ... 1G, or 10^d for other exponents. */
    static String decade(double d) {
        int e = (int) Math.round(d);
        String[] names = {"1", "10", "100", "1k", "10k", "100k", "1M", "10M", "100M", "1G", "10G", "100G"};
        if (e >= 0 && e < names.length) {
            return names[e];
        }
        return "1e" + e;
    }

    /** 1, 2 or 5 times a power of ten, at least v. */
    static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v - 1e-12 * p) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** Axis and label numbers: the demo report's compact form (1500 → "1.5k"). */
    static String compact(double v) {
        return org.flinkla.demo.Svg.compact(v);
    }

    private static String line(double x1, double y1, double x2, double y2, String color, double w) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                + "stroke-width=\"%.1f\"/>%n", x1, y1, x2, y2, color, w);
    }

    private static String text(double x, double y, String s, String anchor, String attrs) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>%n", x, y, anchor,
                attrs, esc(s));
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
