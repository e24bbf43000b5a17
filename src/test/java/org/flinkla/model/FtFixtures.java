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

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;

/**
 * The fast-transformers fixtures ({@code src/test/resources/fixtures/fast-transformers}, written by
 * {@code scripts/fixtures/fast_transformers_fixtures.py} from the real modules) and the comparison
 * the tests apply: |got − want| ≤ 1e-9·|want| + 1e-12 per component.
 */
public final class FtFixtures {
    public static final double REL = 1e-9;
    public static final double ABS = 1e-12;

    public static final List<String> LINEAR = List.of("elu_1layer_relu", "elu_2layer_gelu_norm",
            "relu_3layer_relu_norm_lneps", "favor16_2layer_gelu_norm", "favor8_temp_1layer_relu",
            "elu_dk6_dv5_2layer_gelu_norm", "elu_large_magnitude_2layer_relu_norm", "lm_elu_2layer_gelu_norm_acgtn",
            "lm_relu_3layer_relu_eps_acgtn");
    public static final List<String> SOFTMAX = List.of("softmax_2layer_relu_norm", "softmax_dk3_dv5_3layer_gelu");

    private static final ObjectMapper JSON = new ObjectMapper();

    private FtFixtures() {}

    /** One case's inputs and reference outputs. */
    public static final class Case {
        public final String name;
        /** True when the inputs are token ids ({@link #ids}), else vectors ({@link #vectors}). */
        public final boolean ids;
        public final int[] tokenIds;
        public final double[][] vectors;
        public final double[][] outputs;

        Case(String name, boolean ids, int[] tokenIds, double[][] vectors, double[][] outputs) {
            this.name = name;
            this.ids = ids;
            this.tokenIds = tokenIds;
            this.vectors = vectors;
            this.outputs = outputs;
        }

        public int tokens() {
            return outputs.length;
        }

        /** The vectors row-major in one array. */
        public double[] flatVectors() {
            int d = vectors[0].length;
            double[] out = new double[vectors.length * d];
            for (int t = 0; t < vectors.length; t++) {
                System.arraycopy(vectors[t], 0, out, t * d, d);
            }
            return out;
        }
    }

    public static Path file(String name) {
        return resource(name + ".safetensors");
    }

    private static Path resource(String file) {
        URL u = FtFixtures.class.getResource("/fixtures/fast-transformers/" + file);
        assertThat(u).as(file).isNotNull();
        try {
            return Path.of(u.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Case load(String name) throws IOException {
        JsonNode n = JSON.readTree(resource(name + ".expected.json").toFile());
        assertThat(n.get("case").asText()).isEqualTo(name);
        boolean ids = n.get("input_kind").asText().equals("ids");
        JsonNode in = n.get("inputs");
        int[] tokenIds = null;
        double[][] vectors = null;
        if (ids) {
            tokenIds = new int[in.size()];
            for (int i = 0; i < tokenIds.length; i++) {
                tokenIds[i] = in.get(i).asInt();
            }
        } else {
            vectors = JSON.convertValue(in, double[][].class);
        }
        double[][] outputs = JSON.convertValue(n.get("outputs"), double[][].class);
        assertThat(outputs.length).isEqualTo(ids ? tokenIds.length : vectors.length);
        return new Case(name, ids, tokenIds, vectors, outputs);
    }

    /** Largest |got − want| / (1e-9·|want| + 1e-12) over one output row: ≤ 1 passes. */
    public static double score(double[] got, int off, double[] want) {
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs(got[off + i] - want[i]) / (REL * Math.abs(want[i]) + ABS));
        }
        return worst;
    }

    /** Largest relative difference |got − want| / max(|want|, 1e-12) over a row (for reports). */
    public static double relative(double[] got, int off, double[] want) {
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs(got[off + i] - want[i]) / Math.max(Math.abs(want[i]), ABS / REL));
        }
        return worst;
    }

    /** Asserts every row of {@code got} (row-major, {@code width} per token) against the case. */
    public static void assertOutputs(Case c, double[] got, int width, String what) {
        assertThat(got).as(what).hasSize(c.tokens() * width);
        for (int t = 0; t < c.tokens(); t++) {
            assertThat(c.outputs[t]).as("%s: width", what).hasSize(width);
            double s = score(got, t * width, c.outputs[t]);
            int row = t;
            assertThat(s).as("%s, token %d: %s vs %s", what, t, java.util.Arrays.toString(
                    java.util.Arrays.copyOfRange(got, row * width, row * width + width)),
                    java.util.Arrays.toString(c.outputs[t])).isLessThanOrEqualTo(1.0);
        }
    }
}
