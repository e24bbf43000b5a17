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
import org.flinkla.engine.Gemm;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.WeightPrecision;

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
    /** How the matrices are held. */
    final WeightPrecision weightPrecision;
    /** Whether holding them so rounded some weight (then the architecture string says so). */
    final boolean roundedWeights;
    final Layer[] layers;
    /** RetNet: base^(−2i/d_k) for i < d_k/2. */
    final double[] invFreq;

    /**
     * A weight matrix, held by {@link Gemm} (packed, float64, float32 or bfloat16): the layers'
     * matrices given transposed ([in][out], {@link #transposed}), the embeddings and lm_head as
     * rows ([vocab][hidden], {@link #rows}: the product is y = M x, and row r is an embedding).
     * float32 when every value is exactly a float32 (any F32, F16 or BF16 file), else float64,
     * unless a weight precision is asked for; products are computed in float64 either way, so with
     * exact float32 values the logits do not depend on the storage, and float32 halves the memory
     * and the bytes read per token.
     */
    static final class Mat implements java.io.Serializable {
        private static final long serialVersionUID = 2L;
        final Gemm gemm;

        private Mat(Gemm gemm) {
            this.gemm = gemm;
        }

        /** W given as Wᵀ row-major [in][out]. */
        static Mat transposed(double[] wT, int in, int out, WeightPrecision p) {
            return new Mat(Gemm.ofTransposed(wT, in, out, null, p));
        }

        /** M given row-major [rows][cols]: y = M x maps cols inputs to rows outputs. */
        static Mat rows(double[] m, int rows, int cols, WeightPrecision p) {
            return new Mat(Gemm.ofRows(m, rows, cols, null, p));
        }

        /** y[t] = W x[t] for n rows (see {@link Gemm#apply}). */
        void mul(double[] x, int xOff, int xStride, int n, double[] y, int yOff, int yStride) {
            gemm.apply(x, xOff, xStride, n, y, yOff, yStride);
        }

        /** Row r of a {@link #rows} matrix into dst[off ..], widened. */
        void row(int r, double[] dst, int off) {
            gemm.row(r, dst, off);
        }

        long bytes() {
            return gemm.bytes();
        }
    }

    /** One block's weights, fused and transposed for {@link Gemm}. */
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
        /** {@link #conv} transposed, [conv_size][channel], for the vector convolution step. */
        double[] convT;
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
        this(config, tensors, vocab, source, allowFloat32Weights ? null : WeightPrecision.FLOAT64);
    }

    /**
     * @param weights how to hold the matrices; null: float32 when every value is exactly a float32,
     *                else float64 (a lossless choice). float32 of other values and bfloat16 round
     *                each weight to nearest (ties to even), which changes the outputs.
     */
    public FlaLanguageModel(FlaConfig config, Map<String, double[]> tensors, String vocab, String source,
                            WeightPrecision weights) {
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
        WeightPrecision f32 = weights;
        if (f32 == null) {
            f32 = WeightPrecision.FLOAT32;
            for (String name : shapes.keySet()) {
                for (double v : tensors.get(name)) {
                    if ((double) (float) v != v) {
                        f32 = WeightPrecision.FLOAT64;
                        break;
                    }
                }
                if (f32 == WeightPrecision.FLOAT64) {
                    break;
                }
            }
        }
        this.weightPrecision = f32;
        this.roundedWeights = rounds(tensors, shapes.keySet(), f32);
        this.embeddings = Mat.rows(tensors.get("model.embeddings.weight"), config.vocabSize(), d, f32);
        this.finalNorm = tensors.get("model.norm.weight").clone();
        this.lmHead = config.tieWordEmbeddings() ? embeddings
                : Mat.rows(tensors.get("lm_head.weight"), config.vocabSize(), d, f32);
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

    /** Whether some value of the named tensors changes when held in precision p. */
    private static boolean rounds(Map<String, double[]> tensors, Iterable<String> names, WeightPrecision p) {
        if (p == WeightPrecision.FLOAT64) {
            return false;
        }
        for (String name : names) {
            for (double v : tensors.get(name)) {
                double held = p == WeightPrecision.FLOAT32 ? (float) v : Gemm.widen(Gemm.bfloat16(v));
                if (held != v && !Double.isNaN(v)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Layer layer(FlaConfig c, Map<String, double[]> t, String p, WeightPrecision f32) {
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
            w.gk1T = Mat.transposed(gk1T, r, c.kProjRows(), f32);
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
            int channels = w.conv.length / k;
            w.convT = new double[w.conv.length];
            for (int ch = 0; ch < channels; ch++) {
                for (int j = 0; j < k; j++) {
                    w.convT[j * channels + ch] = w.conv[ch * k + j];
                }
            }
        }
        if (c.outputNormWeight()) {
            w.oNorm = t.get(a + c.outputNormName()).clone();
        }
        w.inT = Mat.transposed(inT, d, width, f32);
        double[] oT = new double[c.valueDim() * d];
        transposeInto(t.get(a + "o_proj.weight"), d, c.valueDim(), oT, d, 0);
        w.oT = Mat.transposed(oT, c.valueDim(), d, f32);
        int im = c.intermediateSize();
        double[] gateUpT = new double[d * 2 * im];
        transposeInto(t.get(p + "mlp.gate_proj.weight"), im, d, gateUpT, 2 * im, 0);
        transposeInto(t.get(p + "mlp.up_proj.weight"), im, d, gateUpT, 2 * im, im);
        w.gateUpT = Mat.transposed(gateUpT, d, 2 * im, f32);
        double[] downT = new double[im * d];
        transposeInto(t.get(p + "mlp.down_proj.weight"), d, im, downT, d, 0);
        w.downT = Mat.transposed(downT, im, d, f32);
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

    /** True when the weight matrices are held as float32. */
    public boolean float32Weights() {
        return weightPrecision == WeightPrecision.FLOAT32;
    }

    /** How the weight matrices are held. */
    public WeightPrecision weightPrecision() {
        return weightPrecision;
    }

    /** Bytes of the weight matrices as held (embeddings, lm_head unless tied, every layer's matrices). */
    public long weightBytes() {
        long b = embeddings.bytes() + (lmHead == embeddings ? 0 : lmHead.bytes());
        for (Layer w : layers) {
            b += w.inT.bytes() + w.oT.bytes() + w.gateUpT.bytes() + w.downT.bytes() + (w.gk1T == null ? 0 : w.gk1T.bytes());
        }
        return b;
    }

    /** The dense products of layer l (in the order a token meets them), then the lm_head (for benchmarks). */
    public java.util.List<Gemm> denseProducts(int l) {
        Layer w = layers[l];
        java.util.List<Gemm> g = new java.util.ArrayList<>();
        g.add(w.inT.gemm);
        if (w.gk1T != null) {
            g.add(w.gk1T.gemm);
        }
        g.add(w.oT.gemm);
        g.add(w.gateUpT.gemm);
        g.add(w.downT.gemm);
        g.add(lmHead.gemm);
        return g;
    }

    /** Floating-point operations of the dense products per token (2 per weight: projections, MLP, lm_head). */
    public long denseFlopsPerToken() {
        long f = lmHead.gemm.flops(1);
        for (Layer w : layers) {
            f += w.inT.gemm.flops(1) + w.oT.gemm.flops(1) + w.gateUpT.gemm.flops(1) + w.downT.gemm.flops(1)
                    + (w.gk1T == null ? 0 : w.gk1T.gemm.flops(1));
        }
        return f;
    }

    @Override public int inputWidth() { return config.hiddenSize(); }
    @Override public int vocabSize() { return config.vocabSize(); }
    @Override public String vocab() { return vocab; }
    @Override public int outputWidth() { return config.vocabSize(); }
    @Override public boolean outputsLogits() { return true; }
    @Override public StatePrecision statePrecision() { return config.statePrecision(); }
    @Override public int stateLength() { return config.stateLength(); }
    /** The configuration, and the weight precision when it rounded weights (outputs differ then). */
    @Override public String architecture() {
        return roundedWeights ? config + ", weights=" + weightPrecision.key() + " (rounded)" : config.toString();
    }
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
