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
package org.flinkla.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.AttentionWeights;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.engine.StatePrecision;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.TokenRecord;

/** Small seeded models and the engine-side expectations the operator tests compare against. */
final class TestModels {
    static final int D_MODEL = 8;
    static final String VOCAB = "ACGT";

    private TestModels() {}

    static AttentionConfig config(StatePrecision precision) {
        return AttentionConfig.builder().dModel(D_MODEL).heads(2).dKey(4).dValue(4).dOut(6)
                .featureMap(FeatureMapKind.ELU).vocab(VOCAB).statePrecision(precision).build();
    }

    static AttentionConfig config() {
        return config(StatePrecision.FLOAT64);
    }

    static AttentionWeights weights(AttentionConfig c, long seed) {
        Random r = new Random(seed);
        AttentionWeights w = new AttentionWeights();
        int hk = c.heads() * c.dKey();
        int hv = c.heads() * c.dValue();
        w.queryWeight = gaussian(r, hk * c.dModel(), 0.5);
        w.queryBias = gaussian(r, hk, 0.1);
        w.keyWeight = gaussian(r, hk * c.dModel(), 0.5);
        w.keyBias = gaussian(r, hk, 0.1);
        w.valueWeight = gaussian(r, hv * c.dModel(), 0.5);
        w.valueBias = gaussian(r, hv, 0.1);
        w.outWeight = gaussian(r, c.dOut() * hv, 0.5);
        w.outBias = gaussian(r, c.dOut(), 0.1);
        if (c.vocab() != null) {
            w.embedding = gaussian(r, c.vocab().length() * c.dModel(), 1.0);
        }
        return w;
    }

    /**
     * A small language model: one attention layer with an embedding over {@link #VOCAB} and
     * d_out = 4 = vocabulary size, so its outputs are logits over the token ids.
     */
    static org.flinkla.model.Model lm(long seed) {
        AttentionConfig c = AttentionConfig.builder().dModel(D_MODEL).heads(2).dKey(4).dValue(4).dOut(VOCAB.length())
                .featureMap(FeatureMapKind.ELU).vocab(VOCAB).build();
        return new org.flinkla.model.Model(c, weights(c, seed), "test LM (seed " + seed + ")");
    }

    /** A language model over {@code vocabSize} token ids without symbols (ids only). */
    static org.flinkla.model.Model idsLm(long seed, int vocabSize) {
        AttentionConfig c = AttentionConfig.builder().dModel(D_MODEL).heads(2).dKey(4).dValue(4).dOut(vocabSize)
                .featureMap(FeatureMapKind.ELU).build();
        AttentionWeights w = weights(c, seed);
        w.embedding = gaussian(new Random(seed + 1), vocabSize * D_MODEL, 1.0);
        return new org.flinkla.model.Model(c, w, "test ids LM (seed " + seed + ")");
    }

    private static double[] gaussian(Random r, int n, double scale) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian() * scale;
        }
        return a;
    }

    /** Deterministic pseudo-random DNA. */
    static String dna(long seed, int n) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(VOCAB.charAt(r.nextInt(VOCAB.length())));
        }
        return sb.toString();
    }

    /** The engine run directly over {@code symbols}: outputs of every token, row-major. */
    static double[] engineOutputs(RecurrentLinearAttention engine, String symbols) {
        ModelState s = engine.newState();
        int d = engine.config().dOut();
        double[] ys = new double[symbols.length() * d];
        for (int i = 0; i < symbols.length(); i++) {
            engine.stepToken(s, engine.tokenId(symbols.charAt(i)), ys, i * d);
        }
        return ys;
    }

    /** The engine run directly over vectors (count × d_model, row-major). */
    static double[] engineOutputs(RecurrentLinearAttention engine, double[] xs) {
        ModelState s = engine.newState();
        int dm = engine.config().dModel();
        int d = engine.config().dOut();
        int n = xs.length / dm;
        double[] ys = new double[n * d];
        for (int i = 0; i < n; i++) {
            engine.step(s, xs, i * dm, ys, i * d);
        }
        return ys;
    }

    /** Outputs of {@code seq} concatenated in order: ys and positions. */
    static Flat flatten(List<AttentionOutput> outputs, String seq) {
        List<Double> ys = new ArrayList<>();
        List<Long> pos = new ArrayList<>();
        for (AttentionOutput o : outputs) {
            if (!o.seq().equals(seq)) {
                continue;
            }
            for (double v : o.ys()) {
                ys.add(v);
            }
            for (int i = 0; i < o.count(); i++) {
                pos.add(o.positionOf(i));
            }
        }
        return new Flat(ys.stream().mapToDouble(Double::doubleValue).toArray(),
                pos.stream().mapToLong(Long::longValue).toArray());
    }

    /** Splits {@code symbols} into chunk records of the given sizes (cycled), positions from {@code pos0}. */
    static List<TokenRecord> chunks(String seq, String symbols, long pos0, int... sizes) {
        List<TokenRecord> out = new ArrayList<>();
        int i = 0;
        int k = 0;
        while (i < symbols.length()) {
            int n = Math.min(sizes[k++ % sizes.length], symbols.length() - i);
            out.add(n == 1 && k % 2 == 0
                    ? TokenRecord.symbols(seq, pos0 + i, symbols.substring(i, i + 1), false)
                    : TokenRecord.symbols(seq, pos0 + i, symbols.substring(i, i + n), true));
            i += n;
        }
        return out;
    }

    /** Outputs flattened per sequence. */
    static final class Flat {
        final double[] ys;
        final long[] positions;

        Flat(double[] ys, long[] positions) {
            this.ys = ys;
            this.positions = positions;
        }
    }

    static double[] rows(double[] ys, int dim, int from, int to) {
        return java.util.Arrays.copyOfRange(ys, from * dim, to * dim);
    }

    static long[] range(long from, long toExclusive) {
        return java.util.stream.LongStream.range(from, toExclusive).toArray();
    }
}
