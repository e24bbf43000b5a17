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

import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.Variant;

/**
 * Untrained single-head layers for the recall benchmark: the projections only select blocks of
 * the {@link RecallStream} token layout, so every method reads the same keys and values.
 * <pre>
 *   q = qScale · (query block)      k = kScale · (key block) [− L·(1 − flag)·1]      v = value block
 *   out = identity;   delta only: β = sigmoid(L·(2·flag − 1))  (≈ 1 for writes, ≈ 0 for queries)
 * </pre>
 * with L = {@link #NULL_LOGIT}. A query token is itself a token of the causal stream: it has v = 0,
 * so it adds nothing to S, but it adds φ(k_query) to z (and for softmax its own score to the
 * denominator). With {@code nullQueryKey} its key is pushed to −L·1, where φ vanishes for elu,
 * relu and favor (e^−40 and below), so the query token is invisible. Softmax and taylor cannot
 * have that: their kernel is positive everywhere (taylor's 1 + u + u²/2 ≥ ½) and a key of −L·1
 * would give them a huge score; they keep the key 0 for the query token, i.e. one neutral entry of
 * weight e^0 = 1 (softmax) or 1 (taylor) next to the match's e^β or 1 + u + u²/2.
 */
public final class RecallLayers {
    /** L: sigmoid(40) rounds to exactly 1.0 in float64, sigmoid(−40) ≈ 4·10⁻¹⁸, elu(−40)+1 ≈ 4·10⁻¹⁸. */
    public static final double NULL_LOGIT = 40.0;

    private RecallLayers() {
    }

    /** Whether φ vanishes far below zero, so that {@code nullQueryKey} hides the query token. */
    public static boolean canHideQuery(FeatureMapKind featureMap) {
        return featureMap != FeatureMapKind.TAYLOR;
    }

    /** Config with heads = 1, d_model = 2·d_k + d_v + 1, d_out = d_v. */
    public static AttentionConfig config(int dk, int dv, FeatureMapKind featureMap, Variant variant,
                                         int favorFeatures, long favorSeed) {
        return AttentionConfig.builder()
                .dModel(2 * dk + dv + 1).heads(1).dKey(dk).dValue(dv).dOut(dv)
                .featureMap(featureMap).variant(variant)
                .favorFeatures(favorFeatures).favorSeed(favorSeed)
                .build();
    }

    /** The block-selecting weights above for {@code config} (heads = 1). */
    public static AttentionWeights weights(AttentionConfig config, double qScale, double kScale,
                                           boolean nullQueryKey) {
        int dk = config.dKey();
        int dv = config.dValue();
        int dm = config.dModel();
        if (config.heads() != 1 || dm != 2 * dk + dv + 1 || config.dOut() != dv) {
            throw new IllegalArgumentException("recall layers need heads = 1, d_model = 2·d_k + d_v + 1 and d_out = d_v, got "
                    + config);
        }
        AttentionWeights w = new AttentionWeights();
        w.queryWeight = new double[dk * dm];
        w.keyWeight = new double[dk * dm];
        w.valueWeight = new double[dv * dm];
        w.outWeight = new double[dv * dv];
        for (int i = 0; i < dk; i++) {
            w.queryWeight[i * dm + i] = qScale;
            w.keyWeight[i * dm + dk + i] = kScale;
        }
        for (int j = 0; j < dv; j++) {
            w.valueWeight[j * dm + 2 * dk + j] = 1.0;
            w.outWeight[j * dv + j] = 1.0;
        }
        int flag = dm - 1;
        if (nullQueryKey) {
            // k = kScale·key for writes (flag 1), −L·1 for queries (flag 0)
            w.keyBias = new double[dk];
            for (int i = 0; i < dk; i++) {
                w.keyWeight[i * dm + flag] = NULL_LOGIT;
                w.keyBias[i] = -NULL_LOGIT;
            }
        }
        if (config.variant() == Variant.DELTA) {
            w.betaWeight = new double[dm];
            w.betaWeight[flag] = 2 * NULL_LOGIT;
            w.betaBias = new double[] {-NULL_LOGIT};
        }
        return w;
    }
}
