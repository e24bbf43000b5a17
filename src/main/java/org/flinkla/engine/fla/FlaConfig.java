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

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.flinkla.engine.StatePrecision;

/**
 * The resolved configuration of a flash-linear-attention causal LM: every dimension and every
 * option that changes the per-token math, with FLA's defaults already applied (the loader in
 * {@code org.flinkla.model} reads config.json into one of these).
 *
 * <pre>{@code
 * FlaConfig c = FlaConfig.builder(FlaArchitecture.GATED_DELTANET)
 *     .hiddenSize(256).vocabSize(16).layers(4).intermediateSize(768)
 *     .heads(4).headKDim(64).headVDim(128).shortConv(true, 4).outputGate(true)
 *     .build();
 * }</pre>
 *
 * <p>Heads: {@link #heads()} query heads (and key heads for the delta rules); {@link #stateHeads()}
 * heads of the recurrent state (Gated DeltaNet's {@code num_v_heads}, otherwise the query heads);
 * {@link #kvHeads()} heads of the key/value projections of GLA and RetNet ({@code num_kv_heads},
 * each shared by {@code heads / kvHeads} consecutive query heads). Immutable; {@link Builder#build()}
 * checks consistency and names the offending value.
 */
public final class FlaConfig implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** FLA's in-kernel L2 norm: x / sqrt(Σx² + 1e-6). */
    public static final double L2_NORM_EPS = 1e-6;
    /** GLA's gate: GLABlock never passes gate_logit_normalizer, so the layer's default 16 applies. */
    public static final double GLA_GATE_LOGIT_NORMALIZER = 16;
    /** GLA's low-rank gate: GLABlock never passes gate_low_rank_dim, so the layer's default 16 applies. */
    public static final int GLA_GATE_LOW_RANK_DIM = 16;
    /** RetNet's RotaryEmbedding(dim=head_k_dim) base. */
    public static final double ROTARY_BASE = 10000.0;

    private final FlaArchitecture architecture;
    private final int hiddenSize;
    private final int vocabSize;
    private final int layers;
    private final int intermediateSize;
    private final double normEps;
    private final boolean tieWordEmbeddings;
    private final int heads;
    private final int stateHeads;
    private final int kvHeads;
    private final int headKDim;
    private final int headVDim;
    private final boolean shortConv;
    private final int convSize;
    private final boolean outputGate;
    private final boolean outputNormWeight;
    private final boolean allowNegEigval;
    private final boolean useBeta;
    private final Activation qkActivation;
    private final boolean qkL2Norm;
    private final Activation featureMap;
    private final double clampMin;
    private final int gateLowRankDim;
    private final StatePrecision statePrecision;
    private final boolean fusedGateNormName;

    private FlaConfig(Builder b) {
        this.architecture = b.architecture;
        this.hiddenSize = b.hiddenSize;
        this.vocabSize = b.vocabSize;
        this.layers = b.layers;
        this.intermediateSize = b.intermediateSize;
        this.normEps = b.normEps;
        this.tieWordEmbeddings = b.tieWordEmbeddings;
        this.heads = b.heads;
        this.stateHeads = architecture == FlaArchitecture.GATED_DELTANET && b.valueHeads > 0 ? b.valueHeads : b.heads;
        this.kvHeads = isGlaOrRetNet() && b.kvHeads > 0 ? b.kvHeads : b.heads;
        this.headKDim = b.headKDim;
        this.headVDim = b.headVDim;
        this.shortConv = architecture != FlaArchitecture.RETNET && b.shortConv;
        this.convSize = shortConv ? b.convSize : 0;
        this.outputGate = b.outputGate;
        this.outputNormWeight = architecture.deltaRule() || b.outputNormWeight;
        this.allowNegEigval = architecture.deltaRule() && b.allowNegEigval;
        this.useBeta = architecture == FlaArchitecture.GATED_DELTANET || (architecture == FlaArchitecture.DELTA_NET && b.useBeta);
        this.qkActivation = architecture == FlaArchitecture.DELTA_NET ? b.qkActivation : Activation.SILU;
        this.qkL2Norm = architecture != FlaArchitecture.DELTA_NET || b.qkL2Norm;
        this.featureMap = isGlaOrRetNet() ? b.featureMap : Activation.IDENTITY;
        this.clampMin = architecture == FlaArchitecture.GLA ? b.clampMin : Double.NaN;
        this.gateLowRankDim = architecture == FlaArchitecture.GLA ? b.gateLowRankDim : 0;
        this.statePrecision = b.statePrecision;
        this.fusedGateNormName = isGlaOrRetNet() && b.fusedGateNorm && b.outputGate;
    }

    public static Builder builder(FlaArchitecture architecture) {
        return new Builder(architecture);
    }

    /** A builder holding this configuration's values (to change one, e.g. the state precision). */
    public Builder toBuilder() {
        Builder b = new Builder(architecture);
        b.hiddenSize = hiddenSize;
        b.vocabSize = vocabSize;
        b.layers = layers;
        b.intermediateSize = intermediateSize;
        b.normEps = normEps;
        b.tieWordEmbeddings = tieWordEmbeddings;
        b.heads = heads;
        b.valueHeads = stateHeads;
        b.kvHeads = kvHeads;
        b.headKDim = headKDim;
        b.headVDim = headVDim;
        b.shortConv = shortConv;
        b.convSize = shortConv ? convSize : 4;
        b.outputGate = outputGate;
        b.outputNormWeight = outputNormWeight;
        b.allowNegEigval = allowNegEigval;
        b.useBeta = useBeta;
        b.qkActivation = qkActivation;
        b.qkL2Norm = qkL2Norm;
        b.featureMap = featureMap;
        b.clampMin = clampMin;
        b.gateLowRankDim = gateLowRankDim == 0 ? GLA_GATE_LOW_RANK_DIM : gateLowRankDim;
        b.statePrecision = statePrecision;
        b.fusedGateNorm = fusedGateNormName || !outputGate;
        return b;
    }

    private boolean isGlaOrRetNet() {
        return architecture == FlaArchitecture.GLA || architecture == FlaArchitecture.RETNET;
    }

    // ------------------------------------------------------------------ values

    public FlaArchitecture architecture() { return architecture; }
    public int hiddenSize() { return hiddenSize; }
    public int vocabSize() { return vocabSize; }
    public int layers() { return layers; }
    /** Width of the GatedMLP's gate/up projections. */
    public int intermediateSize() { return intermediateSize; }
    /** ε of every RMSNorm (block norms, final norm, output norm): FLA passes {@code norm_eps} to all of them. */
    public double normEps() { return normEps; }
    public boolean tieWordEmbeddings() { return tieWordEmbeddings; }
    /** Query heads (and key heads of the delta rules). */
    public int heads() { return heads; }
    /** Heads of the recurrent state: Gated DeltaNet's value heads, otherwise {@link #heads()}. */
    public int stateHeads() { return stateHeads; }
    /** Heads of GLA's and RetNet's key/value projections; {@link #heads()} for the delta rules. */
    public int kvHeads() { return kvHeads; }
    public int headKDim() { return headKDim; }
    public int headVDim() { return headVDim; }
    public boolean shortConv() { return shortConv; }
    /** Kernel size of the short convolutions (0 without them). */
    public int convSize() { return convSize; }
    /** Output gate: o_norm(o)·silu(g_proj x) (Gated DeltaNet/DeltaNet {@code use_gate}, GLA/RetNet {@code use_output_gate}). */
    public boolean outputGate() { return outputGate; }
    /** Whether the per-head output RMSNorm has a weight (GLA/RetNet {@code elementwise_affine}; always for the delta rules). */
    public boolean outputNormWeight() { return outputNormWeight; }
    /** β ∈ (0, 2) instead of (0, 1): β = 2σ(b_proj x). */
    public boolean allowNegEigval() { return allowNegEigval; }
    /** β from b_proj (else β = 1); always for Gated DeltaNet. */
    public boolean useBeta() { return useBeta; }
    /** DeltaNet's qk_activation (SiLU for the others: their short convolutions carry it). */
    public Activation qkActivation() { return qkActivation; }
    /** L2-normalised q and k (DeltaNet {@code qk_norm=l2}, always for Gated DeltaNet); false: divided by their sum. */
    public boolean qkL2Norm() { return qkL2Norm; }
    /** GLA/RetNet {@code feature_map} on q and k (identity when null). */
    public Activation featureMap() { return featureMap; }
    /** GLA's lower bound on the log decay, or NaN when none. */
    public double clampMin() { return clampMin; }
    /** Rank of GLA's low-rank decay projection (0 for the others). */
    public int gateLowRankDim() { return gateLowRankDim; }
    public StatePrecision statePrecision() { return statePrecision; }

    // ------------------------------------------------------------------ derived widths

    /** Rows of q_proj: heads × head_k_dim. */
    public int keyDim() { return heads * headKDim; }
    /** Rows of k_proj (and k_conv1d channels). */
    public int kProjRows() { return kvHeads * headKDim; }
    /** Rows of v_proj (and v_conv1d channels). */
    public int vProjRows() { return (architecture == FlaArchitecture.GATED_DELTANET ? stateHeads : kvHeads) * headVDim; }
    /** Width of the mixer output before o_proj (and of g_proj): state heads × head_v_dim. */
    public int valueDim() { return stateHeads * headVDim; }
    /** Rows of a_proj / b_proj (0 when absent). */
    int gateHeads() {
        return architecture == FlaArchitecture.GATED_DELTANET ? stateHeads : 0;
    }
    int betaHeads() {
        return useBeta ? stateHeads : 0;
    }

    // ------------------------------------------------------------------ state layout

    /** Elements of one layer's recurrent state: stateHeads × head_v_dim × head_k_dim. */
    public int recurrentStateLength() {
        return stateHeads * headVDim * headKDim;
    }

    /** Elements of one layer's convolution windows: (conv_size − 1) × (q, k and v channels); 0 without short convolutions. */
    public int convStateLength() {
        return shortConv ? (convSize - 1) * (keyDim() + kProjRows() + vProjRows()) : 0;
    }

    /** Elements of one layer's state: recurrent state, then the q, k, v convolution windows. */
    public int layerStateLength() {
        return recurrentStateLength() + convStateLength();
    }

    /** Elements of one sequence's state: all layers, layer l at l × {@link #layerStateLength()}. */
    public int stateLength() {
        return layers * layerStateLength();
    }

    /** Offset of layer {@code l}'s recurrent state S (row-major [stateHeads][head_v_dim][head_k_dim]). */
    public int recurrentOffset(int l) {
        return l * layerStateLength();
    }

    /** Offset of layer {@code l}'s q window ([channel][conv_size − 1], oldest input first), followed by k's, then v's. */
    public int convOffset(int l) {
        return l * layerStateLength() + recurrentStateLength();
    }

    // ------------------------------------------------------------------ tensors

    /**
     * FLA's {@code state_dict} names and shapes for this configuration, in FLA's order: what a
     * {@code save_pretrained} directory holds.
     */
    public Map<String, int[]> expectedTensors() {
        int d = hiddenSize;
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("model.embeddings.weight", new int[] {vocabSize, d});
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            String a = p + "attn.";
            m.put(p + "attn_norm.weight", new int[] {d});
            m.put(a + "q_proj.weight", new int[] {keyDim(), d});
            m.put(a + "k_proj.weight", new int[] {kProjRows(), d});
            m.put(a + "v_proj.weight", new int[] {vProjRows(), d});
            if (architecture == FlaArchitecture.GATED_DELTANET) {
                m.put(a + "a_proj.weight", new int[] {stateHeads, d});
            }
            if (useBeta) {
                m.put(a + "b_proj.weight", new int[] {stateHeads, d});
            }
            if (architecture == FlaArchitecture.GATED_DELTANET) {
                m.put(a + "A_log", new int[] {stateHeads});
                m.put(a + "dt_bias", new int[] {stateHeads});
            }
            if (outputGate) {
                m.put(a + "g_proj.weight", new int[] {valueDim(), d});
            }
            if (shortConv) {
                m.put(a + "q_conv1d.weight", new int[] {keyDim(), 1, convSize});
                m.put(a + "k_conv1d.weight", new int[] {kProjRows(), 1, convSize});
                m.put(a + "v_conv1d.weight", new int[] {vProjRows(), 1, convSize});
            }
            if (architecture == FlaArchitecture.GLA) {
                m.put(a + "gk_proj.0.weight", new int[] {gateLowRankDim, d});
                m.put(a + "gk_proj.1.weight", new int[] {kProjRows(), gateLowRankDim});
                m.put(a + "gk_proj.1.bias", new int[] {kProjRows()});
            }
            if (outputNormWeight) {
                m.put(a + outputNormName(), new int[] {headVDim});
            }
            m.put(a + "o_proj.weight", new int[] {d, valueDim()});
            m.put(p + "mlp_norm.weight", new int[] {d});
            m.put(p + "mlp.gate_proj.weight", new int[] {intermediateSize, d});
            m.put(p + "mlp.up_proj.weight", new int[] {intermediateSize, d});
            m.put(p + "mlp.down_proj.weight", new int[] {d, intermediateSize});
        }
        m.put("model.norm.weight", new int[] {d});
        if (!tieWordEmbeddings) {
            m.put("lm_head.weight", new int[] {vocabSize, d});
        }
        return m;
    }

    /**
     * The per-head output norm's tensor under {@code attn.}: {@code o_norm.weight} for the delta
     * rules; for GLA/RetNet {@code g_norm_swish_gate.weight} when the swish gate is fused with the
     * norm (use_output_gate and fuse_norm), else {@code g_norm.weight}. The math is the same; only
     * the name differs, so the loader tells which one the file uses.
     */
    String outputNormName() {
        return architecture.deltaRule() ? "o_norm.weight" : fusedGateNormName ? "g_norm_swish_gate.weight" : "g_norm.weight";
    }


    /** GLA/RetNet: whether the output norm's tensor is {@code g_norm_swish_gate.weight} (fused) or {@code g_norm.weight}. */
    public boolean fusedGateNormName() {
        return fusedGateNormName;
    }

    // ------------------------------------------------------------------ description

    /** Every option and shape, e.g. {@code fla-gated_deltanet(layers=4, hidden=256, ...)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("fla-").append(architecture.modelType()).append('(');
        sb.append("layers=").append(layers).append(", hidden=").append(hiddenSize)
                .append(", vocab=").append(vocabSize).append(", intermediate=").append(intermediateSize)
                .append(", norm_eps=").append(normEps).append(", tied=").append(tieWordEmbeddings)
                .append(", heads=").append(heads);
        if (architecture == FlaArchitecture.GATED_DELTANET) {
            sb.append(", v_heads=").append(stateHeads);
        }
        if (isGlaOrRetNet()) {
            sb.append(", kv_heads=").append(kvHeads);
        }
        sb.append(", d_k=").append(headKDim).append(", d_v=").append(headVDim)
                .append(", conv=").append(shortConv ? Integer.toString(convSize) : "none")
                .append(", output_gate=").append(outputGate);
        if (architecture.deltaRule()) {
            sb.append(", neg_eigval=").append(allowNegEigval);
        }
        if (architecture == FlaArchitecture.DELTA_NET) {
            sb.append(", beta=").append(useBeta).append(", qk_activation=")
                    .append(qkActivation.name().toLowerCase(Locale.ROOT))
                    .append(", qk_norm=").append(qkL2Norm ? "l2" : "sum");
        }
        if (isGlaOrRetNet()) {
            sb.append(", feature_map=").append(featureMap.name().toLowerCase(Locale.ROOT))
                    .append(", norm_weight=").append(outputNormWeight);
        }
        if (architecture == FlaArchitecture.GLA) {
            sb.append(", gate_rank=").append(gateLowRankDim).append(", clamp_min=")
                    .append(Double.isNaN(clampMin) ? "none" : Double.toString(clampMin));
        }
        sb.append(", state=").append(statePrecision.name().toLowerCase(Locale.ROOT)).append(')');
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlaConfig && o.toString().equals(toString())
                && ((FlaConfig) o).fusedGateNormName == fusedGateNormName;
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    // ------------------------------------------------------------------ builder

    /** Builder with FLA's layer defaults where they exist; {@link #build()} validates. */
    public static final class Builder {
        private final FlaArchitecture architecture;
        private int hiddenSize = -1;
        private int vocabSize = -1;
        private int layers = -1;
        private int intermediateSize = -1;
        private double normEps = 1e-6;
        private boolean tieWordEmbeddings;
        private int heads = -1;
        private int valueHeads = -1;
        private int kvHeads = -1;
        private int headKDim = -1;
        private int headVDim = -1;
        private boolean shortConv;
        private int convSize = 4;
        private boolean outputGate;
        private boolean outputNormWeight = true;
        private boolean allowNegEigval;
        private boolean useBeta = true;
        private Activation qkActivation = Activation.SILU;
        private boolean qkL2Norm = true;
        private Activation featureMap = Activation.IDENTITY;
        private double clampMin = Double.NaN;
        private int gateLowRankDim = GLA_GATE_LOW_RANK_DIM;
        private boolean fusedGateNorm = true;
        private StatePrecision statePrecision = StatePrecision.FLOAT32;

        private Builder(FlaArchitecture architecture) {
            this.architecture = Objects.requireNonNull(architecture, "architecture");
        }

        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder layers(int v) { layers = v; return this; }
        public Builder intermediateSize(int v) { intermediateSize = v; return this; }
        public Builder normEps(double v) { normEps = v; return this; }
        public Builder tieWordEmbeddings(boolean v) { tieWordEmbeddings = v; return this; }
        public Builder heads(int v) { heads = v; return this; }
        /** Gated DeltaNet's num_v_heads (default: heads). */
        public Builder valueHeads(int v) { valueHeads = v; return this; }
        /** GLA/RetNet num_kv_heads (default: heads). */
        public Builder kvHeads(int v) { kvHeads = v; return this; }
        public Builder headKDim(int v) { headKDim = v; return this; }
        public Builder headVDim(int v) { headVDim = v; return this; }
        public Builder shortConv(boolean on, int size) { shortConv = on; convSize = size; return this; }
        public Builder outputGate(boolean v) { outputGate = v; return this; }
        public Builder outputNormWeight(boolean v) { outputNormWeight = v; return this; }
        public Builder allowNegEigval(boolean v) { allowNegEigval = v; return this; }
        public Builder useBeta(boolean v) { useBeta = v; return this; }
        public Builder qkActivation(Activation v) { qkActivation = Objects.requireNonNull(v); return this; }
        public Builder qkL2Norm(boolean v) { qkL2Norm = v; return this; }
        public Builder featureMap(Activation v) { featureMap = Objects.requireNonNull(v); return this; }
        /** GLA's clamp_min on the log decay; NaN for none. */
        public Builder clampMin(double v) { clampMin = v; return this; }
        public Builder gateLowRankDim(int v) { gateLowRankDim = v; return this; }
        /** GLA/RetNet: the output norm's tensor is named {@code g_norm_swish_gate} (true) or {@code g_norm}. */
        public Builder fusedGateNorm(boolean v) { fusedGateNorm = v; return this; }
        public Builder statePrecision(StatePrecision v) { statePrecision = Objects.requireNonNull(v); return this; }

        /** @throws IllegalArgumentException naming the first inconsistent value */
        public FlaConfig build() {
            positive(hiddenSize, "hidden_size");
            positive(vocabSize, "vocab_size");
            positive(layers, "num_hidden_layers");
            positive(intermediateSize, "intermediate_size");
            positive(heads, "num_heads");
            positive(headKDim, "head_k_dim");
            positive(headVDim, "head_v_dim");
            if (!(normEps >= 0) || Double.isInfinite(normEps)) {
                throw new IllegalArgumentException("norm_eps must be a finite number >= 0, got " + normEps);
            }
            if (architecture == FlaArchitecture.GATED_DELTANET && valueHeads > 0
                    && (valueHeads < heads || valueHeads % heads != 0)) {
                throw new IllegalArgumentException("num_v_heads must be a multiple of num_heads=" + heads + ", got " + valueHeads);
            }
            if ((architecture == FlaArchitecture.GLA || architecture == FlaArchitecture.RETNET) && kvHeads > 0
                    && heads % kvHeads != 0) {
                throw new IllegalArgumentException("num_kv_heads must divide num_heads=" + heads + ", got " + kvHeads);
            }
            if (shortConv && architecture != FlaArchitecture.RETNET && convSize < 1) {
                throw new IllegalArgumentException("conv_size must be >= 1, got " + convSize);
            }
            if (architecture == FlaArchitecture.GLA) {
                positive(gateLowRankDim, "gate_low_rank_dim");
                if (!Double.isNaN(clampMin) && Double.isInfinite(clampMin)) {
                    throw new IllegalArgumentException("clamp_min must be finite, got " + clampMin);
                }
            }
            if (architecture == FlaArchitecture.RETNET && headKDim % 2 != 0) {
                throw new IllegalArgumentException("head_k_dim " + headKDim + " must be even for the rotary embedding");
            }
            FlaConfig c = new FlaConfig(this);
            long state = (long) c.layers * ((long) c.stateHeads * headVDim * headKDim
                    + (shortConv ? (long) (convSize - 1) * (c.keyDim() + c.kProjRows() + c.vProjRows()) : 0));
            if (state > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("the state of " + state + " elements per sequence is too large for one array");
            }
            return c;
        }

        private static void positive(int v, String name) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + v);
            }
        }
    }
}
