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
import static org.flinkla.engine.EngineTestSupport.maxRelErr;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Where linear and softmax attention must agree, they do; the two softmax forms are the same function. */
class ReferenceAgreementTest {

    private static AttentionConfig config(FeatureMapKind fm, double eps) {
        return AttentionConfig.builder().dModel(10).heads(2).dKey(4).dValue(3).dOut(5)
                .featureMap(fm).favorFeatures(32).eps(eps).build();
    }

    /** One token: every attention form returns that token's value (through W_o). */
    @ParameterizedTest
    @EnumSource(value = FeatureMapKind.class, names = {"ELU", "FAVOR", "TAYLOR"})
    void singleTokenAgrees(FeatureMapKind fm) {
        AttentionConfig cfg = config(fm, 0.0);
        AttentionWeights w = EngineTestSupport.randomWeights(cfg, 31, true);
        double[][] xs = EngineTestSupport.inputs(2, 1, cfg.dModel());
        double[][] softmax = new SoftmaxAttention(cfg, w).forwardNaive(xs);
        double[][] linear = EngineTestSupport.runRecurrent(new RecurrentLinearAttention(cfg, w), xs);
        assertThat(maxRelErr(linear, softmax)).isLessThanOrEqualTo(1e-12);

        // with the default eps the denominator is off by eps / φ(q)·φ(k) only
        AttentionConfig withEps = config(fm, AttentionConfig.DEFAULT_EPS);
        double[][] linearEps = EngineTestSupport.runRecurrent(new RecurrentLinearAttention(withEps, w), xs);
        assertThat(maxRelErr(linearEps, softmax)).isLessThanOrEqualTo(1e-4);
    }

    /** Identical keys: all scores tie, so both attentions average the values seen so far. */
    @ParameterizedTest
    @EnumSource(value = FeatureMapKind.class, names = {"ELU", "FAVOR", "TAYLOR"})
    void identicalKeysAgree(FeatureMapKind fm) {
        AttentionConfig cfg = config(fm, 0.0);
        AttentionWeights w = EngineTestSupport.randomWeights(cfg, 37, true);
        w.keyWeight = new double[w.keyWeight.length]; // k = b_k for every token
        double[][] xs = EngineTestSupport.inputs(3, 40, cfg.dModel());
        double[][] softmax = new SoftmaxAttention(cfg, w).forwardNaive(xs);
        double[][] linear = EngineTestSupport.runRecurrent(new RecurrentLinearAttention(cfg, w), xs);
        assertThat(maxRelErr(linear, softmax)).isLessThanOrEqualTo(1e-12);
    }

    @Test
    void kvCacheEqualsNaiveSoftmax() {
        AttentionConfig cfg = AttentionConfig.builder().dModel(9).heads(3).dKey(3).dValue(4).dOut(6)
                .vocab("ACGT").build();
        AttentionWeights w = EngineTestSupport.randomWeights(cfg, 41, true);
        SoftmaxAttention softmax = new SoftmaxAttention(cfg, w);
        double[][] xs = EngineTestSupport.inputs(4, 150, cfg.dModel());
        double[][] naive = softmax.forwardNaive(xs);
        SoftmaxAttention.KvCache cache = softmax.newCache();
        double[][] streamed = new double[xs.length][cfg.dOut()];
        for (int t = 0; t < xs.length; t++) {
            cache.step(xs[t], 0, streamed[t], 0);
        }
        assertThat(maxRelErr(streamed, naive)).isLessThanOrEqualTo(1e-12);
        assertThat(cache.length()).isEqualTo(150);

        int[] ids = {0, 3, 1, 1, 2, 0};
        double[][] naiveTokens = softmax.forwardNaiveTokens(ids);
        SoftmaxAttention.KvCache tokens = softmax.newCache();
        double[] y = new double[cfg.dOut()];
        for (int t = 0; t < ids.length; t++) {
            tokens.stepToken(ids[t], y, 0);
            assertThat(EngineTestSupport.relErr(y, naiveTokens[t])).isLessThanOrEqualTo(1e-12);
        }
    }

    @Test
    void kvCacheGrowsWithTheSequenceWhileLinearStateDoesNot() {
        AttentionConfig cfg = AttentionConfig.builder().dModel(8).heads(2).dKey(4).dValue(4).dOut(8).build();
        AttentionWeights w = EngineTestSupport.randomWeights(cfg, 43, false);
        SoftmaxAttention.KvCache cache = new SoftmaxAttention(cfg, w).newCache();
        RecurrentLinearAttention layer = new RecurrentLinearAttention(cfg, w);
        ModelState st = layer.newState();
        double[] x = new double[8];
        double[] y = new double[8];
        long[] cacheBytes = new long[2];
        int[] stateLength = new int[2];
        for (int t = 0; t < 4096; t++) {
            x[t % 8] = Math.sin(t);
            cache.step(x, 0, y, 0);
            layer.step(st, x, 0, y, 0);
            if (t == 63 || t == 4095) {
                cacheBytes[t == 63 ? 0 : 1] = cache.bytes();
                stateLength[t == 63 ? 0 : 1] = st.length();
            }
        }
        // H·(d_k + d_v) doubles per cached token: at least 8·16·4032 more bytes after 4096 tokens
        assertThat(cacheBytes[1] - cacheBytes[0]).isGreaterThanOrEqualTo(8L * 16 * (4096 - 64));
        assertThat(stateLength[1]).isEqualTo(stateLength[0]).isEqualTo(layer.stateLength());
    }
}
