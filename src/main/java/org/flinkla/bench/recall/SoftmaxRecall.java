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
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.SoftmaxAttention;
import org.flinkla.engine.Variant;

/**
 * Exact causal softmax attention ({@link SoftmaxAttention.KvCache}) on the recall stream. The
 * engine scores q·k/√d_k; with q = β·√d_k·key and k = key the score of a query against a stored
 * key is β·cos(key_q, key_s), so β is the inverse temperature on unit keys. The KV cache cannot be
 * rolled back, so for each query it is rebuilt from the W writes (O(W²) per query; fine at
 * benchmark sizes) and each query again sees exactly the writes plus itself.
 */
public final class SoftmaxRecall implements RecallMethod {
    private final String name;
    private final AttentionConfig config;
    private final SoftmaxAttention softmax;

    /** @param beta inverse temperature on cosines (see class doc) */
    public SoftmaxRecall(String name, int dk, int dv, double beta) {
        this.name = name;
        this.config = RecallLayers.config(dk, dv, FeatureMapKind.ELU, Variant.LINEAR, 1, 0L);
        this.softmax = new SoftmaxAttention(config, RecallLayers.weights(config, beta * Math.sqrt(dk), 1.0, false));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double[][] recall(RecallStream s) {
        LinearRecall.checkShape(s, config);
        int p = s.pairs();
        double[] x = new double[s.dModel()];
        double[] y = new double[s.dValue()];
        SoftmaxAttention.KvCache cache = softmax.newCache();
        double[][] out = new double[p][s.dValue()];
        for (int i = 0; i < p; i++) {
            cache.reset();
            for (int w = 0; w < s.writes(); w++) {
                s.writeInput(w, x);
                cache.step(x, 0, y, 0);
            }
            s.queryInput(i, x);
            cache.step(x, 0, out[i], 0);
        }
        return out;
    }
}
