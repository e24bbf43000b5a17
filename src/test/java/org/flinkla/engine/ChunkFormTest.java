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

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chunk form of linear and decay attention (calls of {@value RecurrentLinearAttention#CHUNK_MIN}
 * tokens or more) against token-by-token stepping of the same layer: float64 outputs and the state
 * at every call's end within 1e-12 relative (norm-wise per token and over the state); float32
 * within 1e-5, and replays through an exported state bit-identical. Plain and Vector API layers.
 */
class ChunkFormTest {
    static final int N = 150;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        List<AttentionConfig.Builder> bs = List.of(
                AttentionConfig.builder().dModel(32).heads(2).dKey(16).dValue(16).dOut(32),
                AttentionConfig.builder().dModel(24).heads(3).dKey(8).dValue(8).dOut(13).featureMap(FeatureMapKind.RELU),
                AttentionConfig.builder().dModel(32).heads(2).dKey(16).dValue(16).dOut(32).featureMap(FeatureMapKind.FAVOR)
                        .favorFeatures(24),
                AttentionConfig.builder().dModel(32).heads(4).dKey(8).dValue(8).dOut(32).variant(Variant.DECAY)
                        .decay(new double[] {1.0, 0.99, 0.9, 0.5}),
                AttentionConfig.builder().dModel(32).heads(2).dKey(16).dValue(16).dOut(32).variant(Variant.DECAY)
                        .decay(new double[] {0.95, 0.8}).featureMap(FeatureMapKind.TAYLOR));
        for (AttentionConfig.Builder b : bs) {
            for (StatePrecision p : StatePrecision.values()) {
                for (boolean vector : VectorSupport.enabled() ? new boolean[] {false, true} : new boolean[] {false}) {
                    AttentionConfig cfg = b.vocab("ACGTN").statePrecision(p).build();
                    out.add(Arguments.of(cfg, vector));
                }
            }
        }
        return out.stream();
    }

    private static double relative(double[] a, double[] b, int off, int n) {
        double diff = 0;
        double mag = 0;
        for (int i = off; i < off + n; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            mag = Math.max(mag, Math.abs(b[i]));
        }
        return mag == 0 ? diff : diff / mag;
    }

    private static double[] values(ModelState s) {
        if (s.doubles() != null) {
            return s.doubles();
        }
        double[] v = new double[s.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = s.floats()[i];
        }
        return v;
    }

    @ParameterizedTest(name = "{0} vector {1}")
    @MethodSource("cases")
    void chunksMatchTokenStepping(AttentionConfig cfg, boolean vector) {
        AttentionWeights w = EngineTestSupport.randomWeights(cfg, 7, true);
        int d = cfg.dModel();
        int o = cfg.dOut();
        double[] xs = new double[N * d];
        double[][] rows = EngineTestSupport.inputs(3, N, d);
        for (int t = 0; t < N; t++) {
            System.arraycopy(rows[t], 0, xs, t * d, d);
        }
        int[] ids = new Random(4).ints(N, 0, 5).toArray();
        double tol = cfg.statePrecision() == StatePrecision.FLOAT64 ? 1e-12 : 1e-5;
        for (boolean tokens : new boolean[] {false, true}) {
            RecurrentLinearAttention ref = new RecurrentLinearAttention(cfg, w, vector);
            ModelState sr = ref.newState();
            double[] yr = new double[N * o];
            for (int piece : new int[] {N, 64, 40, 17}) {
                RecurrentLinearAttention layer = new RecurrentLinearAttention(cfg, w, FeatureMap.of(cfg), vector, true);
                ModelState s = layer.newState();
                ModelState replay = layer.newState();
                double[] y = new double[N * o];
                double[] y2 = new double[N * o];
                sr = ref.newState();
                for (int start = 0; start < N; start += piece) {
                    int n = Math.min(piece, N - start);
                    for (int t = start; t < start + n; t++) {
                        if (tokens) {
                            ref.stepToken(sr, ids[t], yr, t * o);
                        } else {
                            ref.step(sr, xs, t * d, yr, t * o);
                        }
                    }
                    RecurrentLinearAttention fresh = new RecurrentLinearAttention(cfg, w, FeatureMap.of(cfg), vector, true);
                    replay = ModelState.wrap(replay.doubles() == null ? null : replay.doubles().clone(),
                            replay.floats() == null ? null : replay.floats().clone(), replay.tokens());
                    if (tokens) {
                        layer.stepTokens(s, ids, start, n, y, start * o);
                        fresh.stepTokens(replay, ids, start, n, y2, start * o);
                    } else {
                        layer.steps(s, xs, start * d, n, y, start * o);
                        fresh.steps(replay, xs, start * d, n, y2, start * o);
                    }
                    assertThat(s.tokens()).isEqualTo(sr.tokens());
                    assertThat(relative(values(s), values(sr), 0, s.length()))
                            .as("state after %d tokens, pieces of %d", start + n, piece).isLessThanOrEqualTo(tol);
                }
                assertThat(y2).as("replay, pieces of %d", piece).isEqualTo(y);
                assertThat(replay).isEqualTo(s);
                for (int t = 0; t < N; t++) {
                    assertThat(relative(y, yr, t * o, o)).as("token %d, pieces of %d, ids %s", t, piece, tokens)
                            .isLessThanOrEqualTo(tol);
                }
            }
        }
    }
}
