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
package org.flinkla.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The public surface other packages rely on: shapes, state size, vocabulary, and error messages. */
class LayerContractTest {
    private static final AttentionConfig CFG = AttentionConfig.builder()
            .dModel(4).heads(2).dKey(4).dValue(3).dOut(5).vocab("ACGTN").build();

    @Test
    void stateLengthAndBytesFollowTheLayout() {
        AttentionWeights w = EngineTestSupport.randomWeights(CFG, 1, true);
        RecurrentLinearAttention layer = new RecurrentLinearAttention(CFG, w);
        // per head S (d_φ × d_v) then z (d_φ)
        assertThat(layer.stateLength()).isEqualTo(2 * (4 * 3 + 4));
        assertThat(layer.stateBytes()).isEqualTo(8L * 2 * (4 * 3 + 4));
        assertThat(layer.newState().length()).isEqualTo(layer.stateLength());

        AttentionConfig taylor32 = CFG.toBuilder().featureMap(FeatureMapKind.TAYLOR)
                .statePrecision(StatePrecision.FLOAT32).build();
        RecurrentLinearAttention t = new RecurrentLinearAttention(taylor32, w);
        int dPhi = 1 + 4 + 16;
        assertThat(t.stateLength()).isEqualTo(2 * (dPhi * 3 + dPhi));
        assertThat(t.stateBytes()).isEqualTo(4L * t.stateLength());
        assertThat(t.newState().floats()).isNotNull();

        AttentionConfig delta = CFG.toBuilder().variant(Variant.DELTA).build();
        AttentionWeights dw = EngineTestSupport.randomWeights(delta, 2, true);
        assertThat(new RecurrentLinearAttention(delta, dw).stateLength()).isEqualTo(2 * 4 * 3); // no z
    }

    @Test
    void vocabularyLookup() {
        RecurrentLinearAttention layer = new RecurrentLinearAttention(CFG, EngineTestSupport.randomWeights(CFG, 1, true));
        assertThat(layer.vocabSize()).isEqualTo(5);
        assertThat(layer.tokenId('A')).isZero();
        assertThat(layer.tokenId('N')).isEqualTo(4);
        assertThat(layer.tokenId('x')).isEqualTo(-1);
        assertThat(layer.tokenId('é')).isEqualTo(-1);
        double[] y = new double[5];
        assertThatThrownBy(() -> layer.stepToken(layer.newState(), 5, y, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 5 out of range [0, 5)");

        AttentionConfig noVocab = CFG.toBuilder().vocab(null).build();
        AttentionWeights w = EngineTestSupport.randomWeights(noVocab, 1, true);
        RecurrentLinearAttention plain = new RecurrentLinearAttention(noVocab, w);
        assertThat(plain.vocabSize()).isZero();
        assertThat(plain.tokenId('A')).isEqualTo(-1);
        assertThatThrownBy(() -> plain.stepToken(plain.newState(), 0, y, 0))
                .hasMessageContaining("the model has no embedding");
    }

    @Test
    void badWeightsNameTheTensor() {
        AttentionWeights missing = EngineTestSupport.randomWeights(CFG, 1, true);
        missing.queryWeight = null;
        assertThatThrownBy(() -> new RecurrentLinearAttention(CFG, missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("query_projection.weight is missing (expected [H·d_k, d_model] = [8, 4])");

        AttentionWeights wrongShape = EngineTestSupport.randomWeights(CFG, 1, true);
        wrongShape.valueBias = new double[5];
        assertThatThrownBy(() -> new RecurrentLinearAttention(CFG, wrongShape))
                .hasMessage("value_projection.bias has 5 values, expected [H·d_v] = [6] = 6 values");

        AttentionWeights nan = EngineTestSupport.randomWeights(CFG, 1, true);
        nan.outWeight[3] = Double.NaN;
        assertThatThrownBy(() -> new RecurrentLinearAttention(CFG, nan))
                .hasMessage("out_projection.weight has a non-finite value NaN at index 3");

        AttentionWeights noEmbedding = EngineTestSupport.randomWeights(CFG, 1, true);
        noEmbedding.embedding = null;
        assertThatThrownBy(() -> new RecurrentLinearAttention(CFG, noEmbedding))
                .hasMessageContaining("embedding.weight is missing");

        AttentionWeights stray = EngineTestSupport.randomWeights(CFG, 1, true);
        stray.gateWeight = new double[8 * 4];
        assertThatThrownBy(() -> new RecurrentLinearAttention(CFG, stray))
                .hasMessage("gate_projection.weight is only used by variant gated");

        AttentionConfig delta = CFG.toBuilder().variant(Variant.DELTA).build();
        AttentionWeights noBeta = EngineTestSupport.randomWeights(delta, 1, true);
        noBeta.betaWeight = null;
        assertThatThrownBy(() -> new RecurrentLinearAttention(delta, noBeta))
                .hasMessage("beta_projection.weight is missing (expected [H, d_model] = [2, 4])");
    }

    @Test
    void stateOfAnotherShapeIsRejected() {
        RecurrentLinearAttention layer = new RecurrentLinearAttention(CFG, EngineTestSupport.randomWeights(CFG, 1, true));
        ModelState wrong = ModelState.wrap(new double[3], null, 0);
        assertThatThrownBy(() -> layer.step(wrong, new double[4], 0, new double[5], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit this layer");
    }

    @Test
    void stepAllocatesNothing() {
        for (Variant v : Variant.values()) {
            for (StatePrecision p : StatePrecision.values()) {
                AttentionConfig cfg = CFG.toBuilder().variant(v).statePrecision(p).build();
                RecurrentLinearAttention layer = new RecurrentLinearAttention(cfg, EngineTestSupport.randomWeights(cfg, 3, true));
                ModelState st = layer.newState();
                double[] x = {0.1, -0.2, 0.3, 0.4};
                double[] y = new double[5];
                long allocated = EngineTestSupport.allocatedPerRoundAfterWarmUp(layer, st, x, y);
                // 20,000 steps: anything per step would be ≥ 16 bytes each, i.e. ≥ 320 kB
                assertThat(allocated).as(v + " " + p).isLessThan(4096);
            }
        }
    }
}
