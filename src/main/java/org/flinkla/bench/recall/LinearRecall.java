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
import org.flinkla.engine.ModelState;
import org.flinkla.engine.RecurrentLinearAttention;

/**
 * A linear-attention variant ({@link RecurrentLinearAttention}) on the recall stream: the writes
 * are streamed once; for each query the post-write state is copied into a scratch state and the
 * query token is stepped on the copy, so each query sees exactly the writes (plus itself).
 */
public final class LinearRecall implements RecallMethod {
    private final String name;
    private final RecurrentLinearAttention layer;
    private final AttentionConfig config;

    /**
     * @param scale q = k = scale·key; the query token is hidden from the state whenever the feature
     *              map allows it ({@link RecallLayers#canHideQuery})
     */
    public LinearRecall(String name, AttentionConfig config, double scale) {
        this.name = name;
        this.config = config;
        this.layer = new RecurrentLinearAttention(config, RecallLayers.weights(config, scale, scale,
                RecallLayers.canHideQuery(config.featureMap())));
    }

    @Override
    public String name() {
        return name;
    }

    public AttentionConfig config() {
        return config;
    }

    @Override
    public double[][] recall(RecallStream s) {
        checkShape(s, config);
        int p = s.pairs();
        double[] x = new double[s.dModel()];
        double[] y = new double[s.dValue()];
        ModelState written = layer.newState();
        for (int w = 0; w < s.writes(); w++) {
            s.writeInput(w, x);
            layer.step(written, x, 0, y, 0);
        }
        ModelState scratch = layer.newState();
        double[][] out = new double[p][s.dValue()];
        for (int i = 0; i < p; i++) {
            scratch.copyFrom(written);
            s.queryInput(i, x);
            layer.step(scratch, x, 0, out[i], 0);
        }
        return out;
    }

    static void checkShape(RecallStream s, AttentionConfig c) {
        if (s.dKey() != c.dKey() || s.dValue() != c.dValue()) {
            throw new IllegalArgumentException("stream has d_k = " + s.dKey() + ", d_v = " + s.dValue()
                    + " but the method was built for d_k = " + c.dKey() + ", d_v = " + c.dValue());
        }
    }
}
