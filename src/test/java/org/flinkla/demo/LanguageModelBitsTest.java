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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.Map;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.flink.ModelReference;
import org.junit.jupiter.api.Test;

/**
 * The shipped DNA models through the engine in this JVM against their float64 fixtures
 * ({@code src/test/resources/fixtures/dna/<model>.expected.json}: the first 2,000 bases of the chr1
 * fragment, the logits after every base and the bits per base over bases 2..2000, computed by the
 * reference code: fast-transformers' recurrent modules for linear-elu, the training script's
 * token-by-token recurrence for gdn).
 */
class LanguageModelBitsTest {
    static final int N = 2000;

    static JsonNode fixture(String name) throws Exception {
        try (InputStream in = LanguageModelBitsTest.class.getResourceAsStream("/fixtures/dna/" + name + ".expected.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void linearEluBitsPerBaseOnTheFirst2000BasesEqualTheFixture() throws Exception {
        JsonNode fx = fixture("linear-elu");
        SequenceModel m = ModelReference.uri(DemoModel.LINEAR_URI, Map.of()).resolve();
        Chromosome.Slice bases = Chromosome.shipped().slice(N);
        assertThat(bases.substring(0, N)).isEqualTo(fx.get("bases").asText());

        double[] bits = LanguageModelBits.perBase(m, bases);
        double expected = fx.get("bits_per_base_first_2000").asDouble();
        assertThat(LanguageModelBits.mean(bits, N)).isCloseTo(expected, within(1e-9 * expected));
        assertLogitsMatch(m, bases, fx.get("logits"), 1e-9);
    }

    @Test
    void gatedDeltaNetInFloat64StateEqualsTheFixtureAndFloat32StateIsCloseToIt() throws Exception {
        JsonNode fx = fixture("gdn");
        Chromosome.Slice bases = Chromosome.shipped().slice(N);
        double expected = fx.get("bits_per_base_first_2000").asDouble();

        SequenceModel f64 = ModelReference.uri(DemoModel.DEFAULT_URI, Map.of("state_precision", "float64")).resolve();
        assertThat(LanguageModelBits.mean(LanguageModelBits.perBase(f64, bases), N))
                .isCloseTo(expected, within(1e-9 * expected));
        assertLogitsMatch(f64, bases, fx.get("logits"), 1e-9);

        // FLA's own precision (the default): the state is rounded to float32 after every token, so
        // the bits move by rounding, far below what separates the models (0.05 bits/base)
        SequenceModel f32 = ModelReference.uri(DemoModel.DEFAULT_URI, Map.of()).resolve();
        assertThat(LanguageModelBits.mean(LanguageModelBits.perBase(f32, bases), N))
                .isCloseTo(expected, within(DemoModel.FLOAT32_BITS_TOLERANCE * expected));
    }

    @Test
    void softmaxEncoderBitsPerBaseOnTheFirst2000BasesEqualTheFixture() throws Exception {
        // the demo runs it in a child JVM (MemoryProbe softmax) with these steps: a KV-cache session,
        // one token at a time, bits from the previous position's logits
        JsonNode fx = fixture("softmax");
        org.flinkla.engine.stack.SoftmaxEncoder enc = org.flinkla.model.FastTransformersLoader.loadSoftmax(
                ModelReference.localPath(DemoModel.SOFTMAX_URI), Map.of());
        Chromosome.Slice bases = Chromosome.shipped().slice(N);
        org.flinkla.engine.stack.SoftmaxEncoder.Session s = enc.newSession();
        double[] y = new double[enc.outputWidth()];
        double[] logp = new double[y.length];
        double sum = 0;
        double worst = 0;
        for (int t = 0; t < N; t++) {
            int id = enc.tokenId(bases.baseAt(t));
            if (t > 0) {
                sum += -logp[id] / Math.log(2.0);
            }
            s.stepToken(id, y, 0);
            LanguageModelBits.logSoftmax(y, 0, y.length, logp);
            JsonNode row = fx.get("logits").get(t);
            for (int i = 0; i < y.length; i++) {
                double ref = row.get(i).asDouble();
                worst = Math.max(worst, Math.abs(y[i] - ref) / Math.max(1, Math.abs(ref)));
            }
        }
        double expected = fx.get("bits_per_base_first_2000").asDouble();
        assertThat(sum / (N - 1)).isCloseTo(expected, within(1e-9 * expected));
        assertThat(worst).isLessThanOrEqualTo(1e-9);
    }

    @Test
    void aModelWithoutLogitsHasNoBits() throws Exception {
        DemoModel layer = DemoModel.create(42, org.flinkla.engine.Variant.LINEAR);
        assertThatThrownBy(() -> LanguageModelBits.perBase(layer.model(), Chromosome.shipped().slice(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a language model");
    }

    @Test
    void theRollingMeanAveragesTheWindowBeforeEachPoint() {
        double[] bits = {Double.NaN, 1, 2, 3, 4, 5};
        double[][] r = LanguageModelBits.rolling(bits, bits.length, 2, 5);
        // points at ends 2..6 (exclusive ends), windows of two bases (the first one holds only base 1)
        assertThat(r[0]).containsExactly(2, 3, 4, 5, 6);
        assertThat(r[1]).containsExactly(1, 1.5, 2.5, 3.5, 4.5);
        assertThat(LanguageModelBits.mean(bits, 6)).isEqualTo(3.0);
        assertThat(LanguageModelBits.mean(bits, 3)).isEqualTo(1.5);
    }

    /** |y − y_ref| ≤ tol · max(1, |y_ref|) for every logit of every position. */
    private static void assertLogitsMatch(SequenceModel m, Chromosome.Slice bases, JsonNode logits, double tol) {
        ModelStepper s = m.newStepper();
        ModelState st = m.newState();
        double[] y = new double[m.outputWidth()];
        double worst = 0;
        for (int t = 0; t < N; t++) {
            s.stepToken(st, m.tokenId(bases.baseAt(t)), y, 0);
            JsonNode row = logits.get(t);
            for (int i = 0; i < y.length; i++) {
                double ref = row.get(i).asDouble();
                worst = Math.max(worst, Math.abs(y[i] - ref) / Math.max(1, Math.abs(ref)));
            }
        }
        assertThat(worst).as("largest relative logit error of %s", m.source()).isLessThanOrEqualTo(tol);
    }
}
