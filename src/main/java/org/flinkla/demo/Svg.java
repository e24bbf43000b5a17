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
package org.flinkla.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Small inline-SVG charts for the report: line charts with "nice" axis ticks, end markers and
 * reference lines, and a heat strip for vectors along a sequence. No scripts, no fonts to load,
 * no network: the report opens from disk anywhere.
 *
 * <pre>{@code
 * String svg = new Svg.LineChart("Heap after GC", "tokens", "MiB")
 *     .series(new Svg.Series("linear", "#1b9e77", xs, ys))
 *     .render(760, 320);
 * }</pre>
 */
public final class Svg {
    private Svg() {}

    /** One line of a chart. */
    public static final class Series {
        final String name;
        final String color;
        final double[] x;
        final double[] y;
        boolean dashed;

        public Series(String name, String color, double[] x, double[] y) {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x values, " + y.length + " y values");
            }
            this.name = name;
            this.color = color;
            this.x = x;
            this.y = y;
        }

        public Series dashed() {
            this.dashed = true;
            return this;
        }
    }

    /** A labelled point (e.g. where a run ran out of memory). */
    public record Marker(double x, double y, String label, String color) {}

    /** A horizontal reference line (e.g. the heap limit). */
    public record HLine(double y, String label, String color) {}

    /** A line chart; x and y axes start at 0 unless set. */
    public static final class LineChart {
        private final String title;
        private final String xLabel;
        private final String yLabel;
        private final List<Series> series = new ArrayList<>();
        private final List<Marker> markers = new ArrayList<>();
        private final List<HLine> hlines = new ArrayList<>();
        private DoubleFunction<String> xFormat = Svg::compact;
        private DoubleFunction<String> yFormat = Svg::compact;
        private double xMax = Double.NaN;
        private double yMax = Double.NaN;
        private double yMin = 0;

        public LineChart(String title, String xLabel, String yLabel) {
            this.title = title;
            this.xLabel = xLabel;
            this.yLabel = yLabel;
        }

        public LineChart series(Series s) { series.add(s); return this; }
        public LineChart marker(Marker m) { markers.add(m); return this; }
        public LineChart hline(HLine h) { hlines.add(h); return this; }
        public LineChart xMax(double v) { xMax = v; return this; }
        public LineChart yMax(double v) { yMax = v; return this; }
        /** The y axis from {@code lo} to {@code hi} instead of from 0 (values below are clipped to the axis). */
        public LineChart yRange(double lo, double hi) { yMin = lo; yMax = hi; return this; }
        public LineChart xFormat(DoubleFunction<String> f) { xFormat = f; return this; }
        public LineChart yFormat(DoubleFunction<String> f) { yFormat = f; return this; }

        public String render(int width, int height) {
            int longest = series.stream().mapToInt(x -> x.name.length()).max().orElse(0);
            // legend entries per row: as many as fit at ~6.5 px per character
            int perRow = longest > 55 ? 1 : longest > 30 ? 2 : 3;
            double left = 70, right = 20, top = 34, bottom = 46 + 18 * Math.ceil(series.size() / (double) perRow);
            double pw = width - left - right;
            double ph = height - top - bottom;
            double xm = xMax, ym = yMax;
            if (Double.isNaN(xm) || Double.isNaN(ym)) {
                double mx = 0, my = 0;
                for (Series s : series) {
                    for (int i = 0; i < s.x.length; i++) {
                        mx = Math.max(mx, s.x[i]);
                        my = Math.max(my, s.y[i]);
                    }
                }
                for (Marker m : markers) {
                    mx = Math.max(mx, m.x());
                    my = Math.max(my, m.y());
                }
                for (HLine h : hlines) {
                    my = Math.max(my, h.y());
                }
                if (Double.isNaN(xm)) xm = mx;
                if (Double.isNaN(ym)) ym = my * 1.08;
            }
            double[] xt = ticks(xm, 6);
            double[] yt = yMin == 0 ? ticks(ym, 5) : ticks(yMin, ym, 5);
            double xTop = xt[xt.length - 1];
            double yTop = yt[yt.length - 1];
            double yBottom = yt[0];
            DoubleFunction<Double> px = v -> left + pw * v / xTop;
            DoubleFunction<Double> py = v -> top + ph - ph * (Math.max(v, yBottom) - yBottom) / (yTop - yBottom);

            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT,
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                            + "font-family=\"sans-serif\" font-size=\"12\">\n", width, height, width, height));
            sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height));
            sb.append(text(left, 20, title, "start", "font-size=\"14\" font-weight=\"bold\""));
            // grid and ticks
            for (double t : yt) {
                double y = py.apply(t);
                sb.append(line(left, y, left + pw, y, "#e5e5e5", 1, false));
                sb.append(text(left - 6, y + 4, yFormat.apply(t), "end", "fill=\"#444\""));
            }
            for (double t : xt) {
                double x = px.apply(t);
                sb.append(line(x, top, x, top + ph, "#f0f0f0", 1, false));
                sb.append(text(x, top + ph + 16, xFormat.apply(t), "middle", "fill=\"#444\""));
            }
            sb.append(line(left, top + ph, left + pw, top + ph, "#333", 1, false));
            sb.append(line(left, top, left, top + ph, "#333", 1, false));
            sb.append(text(left + pw / 2, top + ph + 34, xLabel, "middle", ""));
            sb.append(String.format(Locale.ROOT,
                    "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">%s</text>\n",
                    top + ph / 2, top + ph / 2, esc(yLabel)));
            for (HLine h : hlines) {
                double y = py.apply(h.y());
                sb.append(line(left, y, left + pw, y, h.color(), 1.5, true));
                sb.append(text(left + pw - 4, y - 5, h.label(), "end", "fill=\"" + h.color() + "\""));
            }
            for (Series s : series) {
                if (s.x.length == 0) {
                    continue;
                }
                StringBuilder pts = new StringBuilder();
                for (int i = 0; i < s.x.length; i++) {
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px.apply(s.x[i]), py.apply(s.y[i])));
                }
                sb.append(String.format(Locale.ROOT,
                        "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.2\" stroke-linejoin=\"round\"%s points=\"%s\"/>\n",
                        s.color, s.dashed ? " stroke-dasharray=\"6 4\"" : "", pts.toString().trim()));
            }
            for (int k = 0; k < markers.size(); k++) {
                Marker m = markers.get(k);
                double x = px.apply(m.x()), y = py.apply(m.y());
                sb.append(String.format(Locale.ROOT,
                        "<path d=\"M%.1f %.1f l10 10 m0 -10 l-10 10\" stroke=\"%s\" stroke-width=\"3\"/>\n",
                        x - 5, y - 5, m.color()));
                boolean rightSide = x < left + pw * 0.6;
                // labels of markers that end up close together are stacked, not overprinted
                sb.append(text(rightSide ? x + 10 : x - 10, y + 18 + 17 * k, m.label(), rightSide ? "start" : "end",
                        "font-weight=\"bold\" fill=\"" + m.color() + "\""));
            }
            // legend under the plot
            double ly = top + ph + 56;
            for (int i = 0; i < series.size(); i++) {
                Series s = series.get(i);
                double lx = left + (i % perRow) * (pw / perRow);
                double y = ly + 18 * (i / perRow);
                sb.append(line(lx, y - 4, lx + 24, y - 4, s.color, 3, s.dashed));
                sb.append(text(lx + 30, y, s.name, "start", ""));
            }
            sb.append("</svg>\n");
            return sb.toString();
        }
    }

    /**
     * A heat strip: column j shows vector {@code columns[j]} (rows top to bottom), on a diverging
     * blue–white–red scale symmetric around 0 and clipped at {@code ±scale}.
     */
    public static String heatStrip(String title, double[][] columns, double scale, double xFrom, double xTo,
            String xLabel, int width, int height) {
        double left = 70, right = 20, top = 34, bottom = 40;
        double pw = width - left - right, ph = height - top - bottom;
        int w = columns.length;
        int d = w == 0 ? 0 : columns[0].length;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">\n", width, height, width, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height));
        sb.append(text(left, 20, title, "start", "font-size=\"14\" font-weight=\"bold\""));
        if (w > 0 && d > 0) {
            // One pixel per (column, dimension), stretched without smoothing: a few KB of PNG
            // instead of tens of thousands of SVG rectangles.
            sb.append(String.format(Locale.ROOT,
                    "<image x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" preserveAspectRatio=\"none\" "
                            + "style=\"image-rendering:pixelated\" href=\"data:image/png;base64,%s\"/>\n",
                    left, top, pw, ph, heatPng(columns, scale)));
        }
        sb.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>\n",
                left, top, pw, ph));
        double[] xt = ticks(xTo - xFrom, 6);
        for (double t : xt) {
            if (t > xTo - xFrom) {
                continue;
            }
            double x = left + pw * t / (xTo - xFrom);
            sb.append(line(x, top + ph, x, top + ph + 4, "#333", 1, false));
            sb.append(text(x, top + ph + 16, compact(xFrom + t), "middle", "fill=\"#444\""));
        }
        sb.append(text(left + pw / 2, top + ph + 32, xLabel, "middle", ""));
        sb.append(String.format(Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">output dim (%d)</text>\n",
                top + ph / 2, top + ph / 2, d));
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** The heat map as a base64 PNG, columns left to right, dimension 0 at the top. */
    static String heatPng(double[][] columns, double scale) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        int w = columns.length;
        int d = columns[0].length;
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, d, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int j = 0; j < w; j++) {
            for (int i = 0; i < d; i++) {
                img.setRGB(j, i, Integer.parseInt(diverging(columns[j][i] / scale).substring(1), 16));
            }
        }
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(img, "png", png);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot encode the heat strip as PNG", e);
        }
        return java.util.Base64.getEncoder().encodeToString(png.toByteArray());
    }

    /** Blue (−1) – white (0) – red (+1), clipped. */
    static String diverging(double v) {
        double t = Math.max(-1, Math.min(1, Double.isFinite(v) ? v : 0));
        int r, g, b;
        if (t >= 0) {
            r = (int) Math.round(255 + (178 - 255) * t);
            g = (int) Math.round(255 + (24 - 255) * t);
            b = (int) Math.round(255 + (43 - 255) * t);
        } else {
            r = (int) Math.round(255 + (33 - 255) * -t);
            g = (int) Math.round(255 + (102 - 255) * -t);
            b = (int) Math.round(255 + (172 - 255) * -t);
        }
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    /** Ticks covering [lo, hi] with a 1-2-5 step, starting at a multiple of the step at or below lo. */
    static double[] ticks(double lo, double hi, int target) {
        if (!(hi > lo) || !Double.isFinite(hi) || !Double.isFinite(lo)) {
            return new double[] {lo, lo + 1};
        }
        double raw = (hi - lo) / target;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
        double start = Math.floor(lo / step + 1e-9) * step;
        int n = (int) Math.ceil((hi - start) / step - 1e-9);
        double[] t = new double[Math.max(1, n) + 1];
        for (int i = 0; i < t.length; i++) {
            t[i] = start + i * step;
        }
        return t;
    }

    /** Colours of the bases in the probability pictures (A green, C blue, G amber, T red, others grey). */
    static String baseColor(char b) {
        switch (b) {
            case 'A': return "#1b9e77";
            case 'C': return "#377eb8";
            case 'G': return "#e6ab02";
            case 'T': return "#e41a1c";
            default: return "#999999";
        }
    }

    /**
     * Stacked bars of predicted probabilities, one column per position: column j stacks
     * {@code p[j][i]} for the symbols {@code vocab} (first at the bottom); the segment of
     * {@code actual[j]} is outlined and the letter is written under the column. A null row is an
     * empty column (no output there).
     */
    public static String probabilityBars(String title, double[][] p, char[] actual, String vocab, long firstPosition,
            int width, int height) {
        double left = 70, right = 20, top = 34, bottom = 70;
        double pw = width - left - right, ph = height - top - bottom;
        int cols = p.length;
        double cw = cols == 0 ? pw : pw / cols;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">\n", width, height, width, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height));
        sb.append(text(left, 20, title, "start", "font-size=\"14\" font-weight=\"bold\""));
        for (double t : new double[] {0, 0.25, 0.5, 0.75, 1}) {
            double y = top + ph - ph * t;
            sb.append(line(left, y, left + pw, y, "#e5e5e5", 1, false));
            sb.append(text(left - 6, y + 4, trim(t), "end", "fill=\"#444\""));
        }
        StringBuilder outline = new StringBuilder();
        double fontSize = Math.max(4, Math.min(10, cw * 1.5));
        for (int j = 0; j < cols; j++) {
            double x = left + j * cw;
            if (p[j] != null) {
                double base = top + ph;
                for (int i = 0; i < p[j].length && i < vocab.length(); i++) {
                    double h = Math.max(0, Math.min(1, p[j][i])) * ph;
                    char sym = vocab.charAt(i);
                    sb.append(String.format(Locale.ROOT,
                            "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>\n",
                            x, base - h, cw, h, baseColor(sym)));
                    if (sym == actual[j] && h > 0) {
                        outline.append(String.format(Locale.ROOT,
                                "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
                                        + "stroke=\"#000\" stroke-width=\"1\"/>\n", x, base - h, cw, h));
                    }
                    base -= h;
                }
            }
            sb.append(String.format(Locale.ROOT,
                    "<text x=\"%.2f\" y=\"%.1f\" text-anchor=\"middle\" font-family=\"monospace\" "
                            + "font-size=\"%.1f\" fill=\"%s\">%s</text>\n",
                    x + cw / 2, top + ph + 4 + fontSize, fontSize, baseColor(actual[j]), esc(String.valueOf(actual[j]))));
        }
        sb.append(outline);
        sb.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>\n",
                left, top, pw, ph));
        int every = cols <= 20 ? 1 : (int) Math.ceil(cols / 10.0 / 10) * 10;
        for (int j = 0; j < cols; j += every) {
            double x = left + j * cw + cw / 2;
            sb.append(line(x, top + ph + 16, x, top + ph + 20, "#333", 1, false));
            sb.append(text(x, top + ph + 32, String.format(Locale.ROOT, "%,d", firstPosition + j), "middle",
                    "fill=\"#444\""));
        }
        sb.append(String.format(Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">p(next base)</text>\n",
                top + ph / 2, top + ph / 2));
        double lx = left;
        double ly = top + ph + 54;
        for (int i = 0; i < vocab.length(); i++) {
            char sym = vocab.charAt(i);
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\"/>\n",
                    lx, ly - 9, baseColor(sym)));
            sb.append(text(lx + 18, ly, String.valueOf(sym), "start", ""));
            lx += 50;
        }
        sb.append(text(lx + 10, ly, "outlined: the base that came; letters: the sequence (position 1-based)", "start",
                "fill=\"#444\""));
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** Tick values 0, step, 2·step, ... covering [0, max] with a 1-2-5 step. */
    static double[] ticks(double max, int target) {
        if (!(max > 0) || !Double.isFinite(max)) {
            return new double[] {0, 1};
        }
        double raw = max / target;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
        int n = (int) Math.ceil(max / step - 1e-9);
        double[] t = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            t[i] = i * step;
        }
        return t;
    }

    /** 1500 → "1.5k", 2000000 → "2M", 0.25 → "0.25". */
    public static String compact(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e3) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    static String line(double x1, double y1, double x2, double y2, String color, double w, boolean dashed) {
        return String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>\n",
                x1, y1, x2, y2, color, w, dashed ? " stroke-dasharray=\"6 4\"" : "");
    }

    static String text(double x, double y, String s, String anchor, String attrs) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>\n",
                x, y, anchor, attrs, esc(s));
    }

    /** Escapes text for XML/HTML content. */
    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
