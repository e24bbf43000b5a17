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
package org.flinkla.bench.recall;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Hand-written SVG of the benchmark: one row of panels per d_k, recall accuracy (left) and mean
 * relative error (right) against P on a log₂ axis, one line per method, a legend on the right.
 */
public final class RecallPlot {
    private static final Map<String, String> COLORS = Map.of(
            "softmax-sharp", "#000000", "softmax", "#8c8c8c", "taylor", "#1f77b4", "favor", "#17becf",
            "elu", "#d62728", "relu", "#ff7f0e", "decay", "#9467bd", "delta", "#2ca02c", "delta-elu", "#bcbd22");
    private static final String[] SPARE = {"#e377c2", "#8c564b", "#7f7f00", "#003f5c"};

    private static final int PANEL_W = 420;
    private static final int PANEL_H = 260;
    private static final int LEFT = 60;
    private static final int TOP = 40;
    private static final int GAP_X = 80;
    private static final int GAP_Y = 80;
    private static final int LEGEND_W = 170;

    private RecallPlot() {
    }

    public static String svg(RecallBenchmark.Task task, List<RecallResult> results, List<String> methods,
                             int trials) {
        TreeSet<Integer> dks = new TreeSet<>();
        results.forEach(r -> dks.add(r.dKey()));
        double maxErr = 1.0;
        for (RecallResult r : results) {
            if (Double.isFinite(r.meanError())) {
                maxErr = Math.max(maxErr, r.meanError());
            }
        }
        maxErr = Math.ceil(maxErr * 4) / 4;
        int width = LEFT + 2 * PANEL_W + GAP_X + 40 + LEGEND_W;
        int height = TOP + dks.size() * (PANEL_H + GAP_Y) + 10;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        String what = task == RecallBenchmark.Task.RECALL
                ? "Associative recall: P random unit key→value pairs written, every key queried"
                : "Overwrite: P random unit key→value pairs written, then rewritten with new values; every key queried";
        b.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s (%d trials per point)</text>%n",
                LEFT, escape(what), trials));
        int row = 0;
        for (int dk : dks) {
            List<RecallResult> part = new ArrayList<>();
            for (RecallResult r : results) {
                if (r.dKey() == dk) {
                    part.add(r);
                }
            }
            int y0 = TOP + row * (PANEL_H + GAP_Y) + 20;
            panel(b, part, methods, LEFT, y0, true, 1.0, "accuracy, d_k = d_v = " + dk);
            panel(b, part, methods, LEFT + PANEL_W + GAP_X, y0, false, maxErr,
                    "mean error ‖y − v‖/‖v‖, d_k = d_v = " + dk);
            row++;
        }
        int lx = LEFT + 2 * PANEL_W + GAP_X + 40;
        for (int i = 0; i < methods.size(); i++) {
            int ly = TOP + 30 + 20 * i;
            b.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.5\"/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    lx, ly, lx + 28, ly, color(methods, i), lx + 36, ly + 4, escape(methods.get(i))));
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static void panel(StringBuilder b, List<RecallResult> part, List<String> methods, int x0, int y0,
                              boolean accuracy, double yMax, String title) {
        TreeSet<Integer> ps = new TreeSet<>();
        part.forEach(r -> ps.add(r.pairs()));
        double lo = log2(ps.first());
        double hi = Math.max(log2(ps.last()), lo + 1);
        b.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", x0, y0 - 8, escape(title)));
        b.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n",
                x0, y0, PANEL_W, PANEL_H));
        // y grid and labels
        int ticks = (int) Math.round(yMax / 0.25);
        for (int i = 0; i <= ticks; i++) {
            double v = yMax * i / ticks;
            double y = y0 + PANEL_H - PANEL_H * v / yMax;
            b.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    x0, y, x0 + PANEL_W, y, x0 - 6, y + 4, String.format(Locale.ROOT, "%.2f", v)));
        }
        // x ticks at powers of two and at the grid's last point
        TreeSet<Integer> xt = new TreeSet<>();
        for (int p = Integer.highestOneBit(ps.first()); p <= ps.last(); p *= 2) {
            if (p >= ps.first()) {
                xt.add(p);
            }
        }
        xt.add(ps.last());
        for (int p : xt) {
            double x = x0 + PANEL_W * (log2(p) - lo) / (hi - lo);
            b.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    x, y0, x, y0 + PANEL_H, x, y0 + PANEL_H + 16, p));
        }
        int dk = part.isEmpty() ? 0 : part.get(0).dKey();
        if (dk >= ps.first() && dk <= ps.last()) {
            double x = x0 + PANEL_W * (log2(dk) - lo) / (hi - lo);
            b.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" fill=\"#666\">P = d_k</text>%n",
                    x, y0, x, y0 + PANEL_H, x + 4, y0 + 14));
        }
        b.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">pairs P (log scale)</text>%n",
                x0 + PANEL_W / 2, y0 + PANEL_H + 34));
        for (int i = 0; i < methods.size(); i++) {
            String m = methods.get(i);
            StringBuilder pts = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (int p : ps) {
                for (RecallResult r : part) {
                    if (r.pairs() == p && r.method().equals(m)) {
                        double v = accuracy ? r.accuracy() : r.meanError();
                        if (Double.isFinite(v)) {
                            double x = x0 + PANEL_W * (log2(p) - lo) / (hi - lo);
                            double y = y0 + PANEL_H - PANEL_H * Math.min(v, yMax) / yMax;
                            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                            marks.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"/>", x, y));
                        }
                    }
                }
            }
            if (pts.length() > 0) {
                b.append(String.format(Locale.ROOT,
                        "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                        color(methods, i), pts.toString().trim()));
                b.append(String.format(Locale.ROOT, "<g fill=\"%s\">%s</g>%n", color(methods, i), marks));
            }
        }
    }

    private static String color(List<String> methods, int i) {
        String c = COLORS.get(methods.get(i));
        return c != null ? c : SPARE[i % SPARE.length];
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
