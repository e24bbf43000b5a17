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
package org.flinkla.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The FLA decoding fixtures of src/test/resources/fixtures/fla/&lt;case&gt;/: config.json, the
 * weights, and expected.json with the logits of an independent float64 reference of FLA's
 * recurrent decoding (scripts/fixtures/fla_reference.py).
 */
public final class FlaFixtures {
    public static final Path ROOT = Path.of("src/test/resources/fixtures/fla");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One case: its directory, model_type, token ids and expected logits [token][vocab]. */
    public static final class Case {
        public final String name;
        public final Path dir;
        public final String modelType;
        public final int[] ids;
        public final double[][] logits;

        Case(Path dir) {
            this.dir = dir;
            this.name = dir.getFileName().toString();
            try {
                JsonNode n = JSON.readTree(dir.resolve("expected.json").toFile());
                this.modelType = JSON.readTree(dir.resolve("config.json").toFile()).get("model_type").asText();
                JsonNode ids = n.get("ids");
                this.ids = new int[ids.size()];
                for (int i = 0; i < this.ids.length; i++) {
                    this.ids[i] = ids.get(i).asInt();
                }
                JsonNode rows = n.get("logits");
                this.logits = new double[rows.size()][];
                for (int t = 0; t < logits.length; t++) {
                    logits[t] = new double[rows.get(t).size()];
                    for (int v = 0; v < logits[t].length; v++) {
                        logits[t][v] = rows.get(t).get(v).doubleValue();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private FlaFixtures() {}

    /** Every case, sorted by name. */
    public static List<Case> all() {
        try (Stream<Path> s = Files.list(ROOT)) {
            List<Case> out = new ArrayList<>();
            s.filter(p -> Files.isRegularFile(p.resolve("expected.json"))).sorted().forEach(p -> out.add(new Case(p)));
            if (out.isEmpty()) {
                throw new IllegalStateException("no FLA fixtures under " + ROOT.toAbsolutePath());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Case get(String name) {
        return new Case(ROOT.resolve(name));
    }

    /**
     * Largest error of {@code got} against {@code want} in units of the tolerance: max over
     * elements of |got − want| / (rel·|want| + abs). At most 1 means every element is within
     * rel relative or abs absolute.
     */
    public static double errorRatio(double[] got, double[] want, double rel, double abs) {
        if (got.length != want.length) {
            return Double.POSITIVE_INFINITY;
        }
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            double e = Math.abs(got[i] - want[i]) / (rel * Math.abs(want[i]) + abs);
            if (!(e <= worst)) {
                worst = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
            }
        }
        return worst;
    }

    /** Largest relative error max |got − want| / |want| (for reports). */
    public static double maxRelative(double[] got, double[] want) {
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-300));
        }
        return worst;
    }
}
