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
package org.flinkla.engine.fla;

import java.util.Map;
import java.util.Objects;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.StatePrecision;

/**
 * A flash-linear-attention causal LM ({@code GatedDeltaNetForCausalLM}, {@code DeltaNetForCausalLM},
 * {@code GLAForCausalLM}, {@code RetNetForCausalLM}) decoded token by token with FLA's
 * {@code fused_recurrent} semantics:
 *
 * <pre>
 *   h = embeddings[id]                    (or the input vector: an embedding of hidden_size)
 *   for each layer:  h += mixer(RMSNorm(h));  h += down(silu(gate(m)) · up(m)),  m = RMSNorm(h)
 *   logits = lm_head · RMSNorm(h)         (lm_head = embeddings when tie_word_embeddings)
 * </pre>
 *
 * The mixers are documented on {@link FlaStepper}.
 *
 * <p><b>State layout</b> (one flat array per sequence, float32 by default as FLA keeps it, or
 * float64): layer l starts at l × L with L = {@link FlaConfig#layerStateLength()}:
 * <ul>
 *   <li>[0, R): the recurrent state S, R = stateHeads × d_v × d_k, row-major
 *       [head][value channel][key channel] (FLA's {@code state_v_first} layout, the one Gated
 *       DeltaNet and GLA use; the transpose of DeltaNet's and RetNet's [K, V] cache);</li>
 *   <li>with short convolutions, [R, L): the windows of the q, then k, then v convolutions,
 *       [channel][conv_size − 1], the previous conv_size − 1 inputs of each channel oldest first
 *       (FLA's conv cache without its oldest column, which the next step drops anyway).</li>
 * </ul>
 * RetNet's rotary position is the state's token count ({@code ModelState.tokens()}), so it needs no
 * element of its own. A float32 state is computed in float64 and stored rounded to nearest after
 * every token.
 *
 * <p>Immutable and shared by all threads. The weight matrices are held as float32 when every value
 * is exactly a float32 (F32, F16 and BF16 files: no loss), else as float64; products and sums run
 * in float64 either way, so the outputs are the same bits. The input projections of a layer are
 * fused into one transposed matrix (q, k, v, gate, a, b, low-rank decay).
 */
public final class FlaLanguageModel implements SequenceModel, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    final FlaConfig config;
    private final String vocab;
    private final String source;

    final Mat embeddings;        // rows [vocab][hidden]
    final double[] finalNorm;    // [hidden]
    final Mat lmHead;            // rows [vocab][hidden]; the same matrix as embeddings when tied
    /** Whether the matrices are held as float32 (lossless: every value is a float32). */
    final boolean float32Weights;
    final Layer[] layers;
    /** RetNet: base^(−2i/d_k) for i < d_k/2. */
    final double[] invFreq;

    /**
     * A weight matrix stored transposed ([in][out], for {@link FlaMath#matmul}) or as rows
     * ([rows][cols], the embeddings and lm_head): float32 when every value is exactly a float32
     * (any F32, F16 or BF16 file), else float64. The products are computed in float64 either way
     * and the values are the same, so the logits do not depend on the storage; float32 halves the
     * memory and the bytes read per token.
     */
    static final class Mat implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final double[] d;
        final float[] f;
        final int in;
        final int out;

        Mat(double[] values, int in, int out, boolean float32) {
            this.in = in;
            this.out = out;
            if (float32) {
                f = new float[values.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) values[i];
                }
                d = null;
            } else {
                d = values;
                f = null;
            }
        }

        /** y[t] = W x[t] for n rows (see {@link FlaMath#matmul}). */
        void mul(double[] x, int xOff, int xStride, int n, double[] y, int yOff, int yStride) {
            if (f != null) {
                FlaMath.matmul(x, xOff, xStride, n, in, f, out, y, yOff, yStride);
            } else {
                FlaMath.matmul(x, xOff, xStride, n, in, d, out, y, yOff, yStride);
            }
        }

        /** Row r (of a row-major matrix with {@code out} columns) into dst[off ..], widened. */
        void row(int r, double[] dst, int off) {
            if (f != null) {
                for (int j = 0; j < out; j++) {
                    dst[off + j] = f[r * out + j];
                }
            } else {
                System.arraycopy(d, r * out, dst, off, out);
            }
        }

        /** y = M x for this row-major matrix of {@code in} rows and {@code out} columns. */
        void rowsTimes(double[] x, int xOff, double[] y, int yOff) {
            if (f != null) {
                FlaMath.matvecRows(f, in, out, x, xOff, y, yOff);
            } else {
                FlaMath.matvecRows(d, in, out, x, xOff, y, yOff);
            }
        }

        long bytes() {
            return f != null ? 4L * f.length : 8L * d.length;
        }
    }

    /** One block's weights, fused and transposed for {@link FlaMath#matmul}. */
    static final class Layer implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        double[] attnNorm;
        double[] mlpNorm;
        /** [hidden][inWidth]: q | k | v | gate | a | b | low-rank decay. */
        Mat inT;
        int inWidth;
        int oq, ok, ov, og, oa, ob, olr;
        /** q | k | v channels of the short convolutions, [channel][conv_size]. */
        double[] conv;
        /** Gated DeltaNet: −exp(A_log) and dt_bias per value head. */
        double[] negA;
        double[] dtBias;
        /** GLA: [rank][kProjRows] and the bias of the second decay projection. */
        Mat gk1T;
        double[] gk1Bias;
        /** Per-head output norm weight [d_v], or null. */
        double[] oNorm;
        /** [valueDim][hidden]. */
        Mat oT;
        /** [hidden][2·intermediate]: gate | up. */
        Mat gateUpT;
        /** [intermediate][hidden]. */
        Mat downT;
    }

    /**
     * @param tensors FLA's tensors by name ({@link FlaConfig#expectedTensors()}), row-major as
     *                stored; they are copied into the fused layout, not kept
     * @param vocab   symbols of the first token ids (one char per id), or null
     * @throws IllegalArgumentException naming a missing tensor or a wrong element count
     */
    public FlaLanguageModel(FlaConfig config, Map<String, double[]> tensors, String vocab, String source) {
        this(config, tensors, vocab, source, true);
    }

    /** {@code allowFloat32Weights} false: float64 matrices whatever the values (tests compare both). */
    FlaLanguageModel(FlaConfig config, Map<String, double[]> tensors, String vocab, String source,
                     boolean allowFloat32Weights) {
        this.config = Objects.requireNonNull(config, "config");
        this.source = Objects.requireNonNull(source, "source");
        if (vocab != null && vocab.length() > config.vocabSize()) {
            throw new IllegalArgumentException("vocab of " + vocab.length() + " symbols is longer than vocab_size "
                    + config.vocabSize());
        }
        this.vocab = vocab;
        Map<String, int[]> shapes = config.expectedTensors();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            double[] t = tensors.get(e.getKey());
            long n = 1;
            for (int d : e.getValue()) {
                n *= d;
            }
            if (t == null) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " is missing");
            }
            if (t.length != n) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " has " + t.length + " elements, expected "
                        + java.util.Arrays.toString(e.getValue()));
            }
        }
        int d = config.hiddenSize();
        boolean f32 = allowFloat32Weights;
        for (String name : shapes.keySet()) {
            for (double v : tensors.get(name)) {
                if ((double) (float) v != v) {
                    f32 = false;
                    break;
                }
            }
            if (!f32) {
                break;
            }
        }
        this.float32Weights = f32;
        this.embeddings = new Mat(tensors.get("model.embeddings.weight").clone(), config.vocabSize(), d, f32);
        this.finalNorm = tensors.get("model.norm.weight").clone();
        this.lmHead = config.tieWordEmbeddings() ? embeddings
                : new Mat(tensors.get("lm_head.weight").clone(), config.vocabSize(), d, f32);
        this.layers = new Layer[config.layers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = layer(config, tensors, "model.layers." + l + ".", f32);
        }
        if (config.architecture() == FlaArchitecture.RETNET) {
            int half = config.headKDim() / 2;
            invFreq = new double[half];
            for (int i = 0; i < half; i++) {
                invFreq[i] = 1.0 / Math.pow(FlaConfig.ROTARY_BASE, (2.0 * i) / config.headKDim());
            }
        } else {
            invFreq = null;
        }
        assert d > 0;
    }

    private static Layer layer(FlaConfig c, Map<String, double[]> t, String p, boolean f32) {
        String a = p + "attn.";
        int d = c.hiddenSize();
        Layer w = new Layer();
        w.attnNorm = t.get(p + "attn_norm.weight").clone();
        w.mlpNorm = t.get(p + "mlp_norm.weight").clone();
        // The input projections in one [hidden][width] matrix: one pass over x per token.
        int width = 0;
        w.oq = width;
        width += c.keyDim();
        w.ok = width;
        width += c.kProjRows();
        w.ov = width;
        width += c.vProjRows();
        w.og = width;
        width += c.outputGate() ? c.valueDim() : 0;
        w.oa = width;
        width += c.gateHeads();
        w.ob = width;
        width += c.betaHeads();
        w.olr = width;
        width += c.gateLowRankDim();
        w.inWidth = width;
        double[] inT = new double[d * width];
        transposeInto(t.get(a + "q_proj.weight"), c.keyDim(), d, inT, width, w.oq);
        transposeInto(t.get(a + "k_proj.weight"), c.kProjRows(), d, inT, width, w.ok);
        transposeInto(t.get(a + "v_proj.weight"), c.vProjRows(), d, inT, width, w.ov);
        if (c.outputGate()) {
            transposeInto(t.get(a + "g_proj.weight"), c.valueDim(), d, inT, width, w.og);
        }
        if (c.gateHeads() > 0) {
            transposeInto(t.get(a + "a_proj.weight"), c.gateHeads(), d, inT, width, w.oa);
            double[] aLog = t.get(a + "A_log");
            w.negA = new double[aLog.length];
            for (int h = 0; h < aLog.length; h++) {
                w.negA[h] = -Math.exp(aLog[h]);
            }
            w.dtBias = t.get(a + "dt_bias").clone();
        }
        if (c.betaHeads() > 0) {
            transposeInto(t.get(a + "b_proj.weight"), c.betaHeads(), d, inT, width, w.ob);
        }
        if (c.gateLowRankDim() > 0) {
            int r = c.gateLowRankDim();
            transposeInto(t.get(a + "gk_proj.0.weight"), r, d, inT, width, w.olr);
            double[] gk1T = new double[r * c.kProjRows()];
            transposeInto(t.get(a + "gk_proj.1.weight"), c.kProjRows(), r, gk1T, c.kProjRows(), 0);
            w.gk1T = new Mat(gk1T, r, c.kProjRows(), f32);
            w.gk1Bias = t.get(a + "gk_proj.1.bias").clone();
        }
        if (c.shortConv()) {
            int k = c.convSize();
            w.conv = new double[(c.keyDim() + c.kProjRows() + c.vProjRows()) * k];
            double[] q = t.get(a + "q_conv1d.weight");
            double[] kk = t.get(a + "k_conv1d.weight");
            double[] v = t.get(a + "v_conv1d.weight");
            System.arraycopy(q, 0, w.conv, 0, q.length);
            System.arraycopy(kk, 0, w.conv, q.length, kk.length);
            System.arraycopy(v, 0, w.conv, q.length + kk.length, v.length);
        }
        if (c.outputNormWeight()) {
            w.oNorm = t.get(a + c.outputNormName()).clone();
        }
        w.inT = new Mat(inT, d, width, f32);
        double[] oT = new double[c.valueDim() * d];
        transposeInto(t.get(a + "o_proj.weight"), d, c.valueDim(), oT, d, 0);
        w.oT = new Mat(oT, c.valueDim(), d, f32);
        int im = c.intermediateSize();
        double[] gateUpT = new double[d * 2 * im];
        transposeInto(t.get(p + "mlp.gate_proj.weight"), im, d, gateUpT, 2 * im, 0);
        transposeInto(t.get(p + "mlp.up_proj.weight"), im, d, gateUpT, 2 * im, im);
        w.gateUpT = new Mat(gateUpT, d, 2 * im, f32);
        double[] downT = new double[im * d];
        transposeInto(t.get(p + "mlp.down_proj.weight"), d, im, downT, d, 0);
        w.downT = new Mat(downT, im, d, f32);
        return w;
    }

    /** dst[i][off + o] = src[o][i] for src row-major [rows][cols], dst rows of dstWidth. */
    private static void transposeInto(double[] src, int rows, int cols, double[] dst, int dstWidth, int off) {
        for (int o = 0; o < rows; o++) {
            for (int i = 0; i < cols; i++) {
                dst[i * dstWidth + off + o] = src[o * cols + i];
            }
        }
    }

    public FlaConfig config() {
        return config;
    }

    /** The embedding row of token {@code id} (what {@code stepToken} feeds the first layer) into dst[off ..]. */
    public void embedding(int id, double[] dst, int off) {
        if (id < 0 || id >= config.vocabSize()) {
            throw new IllegalArgumentException("token id " + id + " outside [0, " + config.vocabSize() + ")");
        }
        embeddings.row(id, dst, off);
    }

    /** True when the weight matrices are held as float32 (every value of the file is a float32: no loss). */
    public boolean float32Weights() {
        return float32Weights;
    }

    /** Bytes of the weight matrices as held (embeddings, lm_head unless tied, every layer's matrices). */
    public long weightBytes() {
        long b = embeddings.bytes() + (lmHead == embeddings ? 0 : lmHead.bytes());
        for (Layer w : layers) {
            b += w.inT.bytes() + w.oT.bytes() + w.gateUpT.bytes() + w.downT.bytes() + (w.gk1T == null ? 0 : w.gk1T.bytes());
        }
        return b;
    }

    @Override public int inputWidth() { return config.hiddenSize(); }
    @Override public int vocabSize() { return config.vocabSize(); }
    @Override public String vocab() { return vocab; }
    @Override public int outputWidth() { return config.vocabSize(); }
    @Override public boolean outputsLogits() { return true; }
    @Override public StatePrecision statePrecision() { return config.statePrecision(); }
    @Override public int stateLength() { return config.stateLength(); }
    @Override public String architecture() { return config.toString(); }
    @Override public String source() { return source; }

    @Override
    public ModelStepper newStepper() {
        return new FlaStepper(this);
    }

    /**
     * A stepper whose recurrence runs in its chunk form for blocks of at least {@code chunkMin}
     * tokens of a call ({@link #newStepper()} uses 8; {@code Integer.MAX_VALUE}: always token by
     * token in FLA's fused_recurrent order, for comparisons and benchmarks).
     */
    public ModelStepper newStepper(int chunkMin) {
        return new FlaStepper(this, chunkMin);
    }

    @Override
    public String toString() {
        return "FlaLanguageModel{" + source + ", " + config + "}";
    }
}
