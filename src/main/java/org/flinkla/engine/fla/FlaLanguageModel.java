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
 * <p>Immutable and shared by all threads; weights are held as float64 arrays, the input
 * projections of a layer fused into one transposed matrix (q, k, v, gate, a, b, low-rank decay).
 */
public final class FlaLanguageModel implements SequenceModel, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    final FlaConfig config;
    private final String vocab;
    private final String source;

    final double[] embeddings;   // [vocab][hidden]
    final double[] finalNorm;    // [hidden]
    final double[] lmHead;       // [vocab][hidden]; the same array as embeddings when tied
    final Layer[] layers;
    /** RetNet: base^(−2i/d_k) for i < d_k/2. */
    final double[] invFreq;

    /** One block's weights, fused and transposed for {@link FlaMath#matmul}. */
    static final class Layer implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        double[] attnNorm;
        double[] mlpNorm;
        /** [hidden][inWidth]: q | k | v | gate | a | b | low-rank decay. */
        double[] inT;
        int inWidth;
        int oq, ok, ov, og, oa, ob, olr;
        /** q | k | v channels of the short convolutions, [channel][conv_size]. */
        double[] conv;
        /** Gated DeltaNet: −exp(A_log) and dt_bias per value head. */
        double[] negA;
        double[] dtBias;
        /** GLA: [rank][kProjRows] and the bias of the second decay projection. */
        double[] gk1T;
        double[] gk1Bias;
        /** Per-head output norm weight [d_v], or null. */
        double[] oNorm;
        /** [valueDim][hidden]. */
        double[] oT;
        /** [hidden][2·intermediate]: gate | up. */
        double[] gateUpT;
        /** [intermediate][hidden]. */
        double[] downT;
    }

    /**
     * @param tensors FLA's tensors by name ({@link FlaConfig#expectedTensors()}), row-major as
     *                stored; they are copied into the fused layout, not kept
     * @param vocab   symbols of the first token ids (one char per id), or null
     * @throws IllegalArgumentException naming a missing tensor or a wrong element count
     */
    public FlaLanguageModel(FlaConfig config, Map<String, double[]> tensors, String vocab, String source) {
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
        this.embeddings = tensors.get("model.embeddings.weight").clone();
        this.finalNorm = tensors.get("model.norm.weight").clone();
        this.lmHead = config.tieWordEmbeddings() ? embeddings : tensors.get("lm_head.weight").clone();
        this.layers = new Layer[config.layers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = layer(config, tensors, "model.layers." + l + ".");
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

    private static Layer layer(FlaConfig c, Map<String, double[]> t, String p) {
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
        w.inT = new double[d * width];
        transposeInto(t.get(a + "q_proj.weight"), c.keyDim(), d, w.inT, width, w.oq);
        transposeInto(t.get(a + "k_proj.weight"), c.kProjRows(), d, w.inT, width, w.ok);
        transposeInto(t.get(a + "v_proj.weight"), c.vProjRows(), d, w.inT, width, w.ov);
        if (c.outputGate()) {
            transposeInto(t.get(a + "g_proj.weight"), c.valueDim(), d, w.inT, width, w.og);
        }
        if (c.gateHeads() > 0) {
            transposeInto(t.get(a + "a_proj.weight"), c.gateHeads(), d, w.inT, width, w.oa);
            double[] aLog = t.get(a + "A_log");
            w.negA = new double[aLog.length];
            for (int h = 0; h < aLog.length; h++) {
                w.negA[h] = -Math.exp(aLog[h]);
            }
            w.dtBias = t.get(a + "dt_bias").clone();
        }
        if (c.betaHeads() > 0) {
            transposeInto(t.get(a + "b_proj.weight"), c.betaHeads(), d, w.inT, width, w.ob);
        }
        if (c.gateLowRankDim() > 0) {
            int r = c.gateLowRankDim();
            transposeInto(t.get(a + "gk_proj.0.weight"), r, d, w.inT, width, w.olr);
            w.gk1T = new double[r * c.kProjRows()];
            transposeInto(t.get(a + "gk_proj.1.weight"), c.kProjRows(), r, w.gk1T, c.kProjRows(), 0);
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
        w.oT = new double[c.valueDim() * d];
        transposeInto(t.get(a + "o_proj.weight"), d, c.valueDim(), w.oT, d, 0);
        int im = c.intermediateSize();
        w.gateUpT = new double[d * 2 * im];
        transposeInto(t.get(p + "mlp.gate_proj.weight"), im, d, w.gateUpT, 2 * im, 0);
        transposeInto(t.get(p + "mlp.up_proj.weight"), im, d, w.gateUpT, 2 * im, im);
        w.downT = new double[im * d];
        transposeInto(t.get(p + "mlp.down_proj.weight"), d, im, w.downT, d, 0);
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

    @Override
    public String toString() {
        return "FlaLanguageModel{" + source + ", " + config + "}";
    }
}
