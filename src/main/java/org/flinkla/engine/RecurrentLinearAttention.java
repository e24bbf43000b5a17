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

/**
 * Multi-head causal linear attention in recurrent form (docs/models.md, docs/variants.md): one {@link #step} per
 * token updates a sequence's {@link ModelState} in O(d²) and writes one output of width d_out.
 *
 * <pre>{@code
 * RecurrentLinearAttention layer = new RecurrentLinearAttention(config, weights);
 * ModelState state = layer.newState();
 * double[] y = new double[config.dOut()];
 * layer.step(state, x, 0, y, 0);           // x: d_model values
 * layer.stepToken(state, layer.tokenId('A'), y, 0);
 * }</pre>
 *
 * <p>Per token t (1-based, {@code t = state.tokens()} after the step) and head h, with
 * q, k, v the head's slices of the projections, K = φ(k), Q = φ(q):
 * <pre>
 *   linear:  S_t = S_{t-1} + K vᵀ,             z_t = z_{t-1} + K,       y = QᵀS_t / (Qᵀz_t + eps)
 *   decay:   S_t = γ_h S_{t-1} + K vᵀ,         z_t = γ_h z_{t-1} + K,   y as linear
 *   gated:   S_t = diag(α_t) S_{t-1} + K vᵀ,   z_t = α_t ⊙ z_{t-1} + K,  α_t = sigmoid(W_g x + b_g)^(1/16)
 *   delta:   S ← α_t S;  S ← S + β_t k̂ (v − Sᵀk̂)ᵀ;  y = Sᵀq̂,   k̂ = K/‖K‖, q̂ = Q/‖Q‖ (0 when ‖·‖ = 0),
 *            β_t = sigmoid(W_β x + b_β), α_t = sigmoid(W_α x + b_α) or 1 without alpha_projection
 *   out = W_o concat_h(y_h) + b_o
 * </pre>
 *
 * <p><b>State layout and scale</b> (the flat array of {@link ModelState}): for each head h in
 * order, S_h as d_φ rows of d_v values (row-major), then z_h (d_φ values; absent for delta).
 * Length H·(d_φ·d_v + d_φ), or H·d_φ·d_v for delta; {@link #stateBytes()} = length × element size.
 * <ul>
 *   <li>linear, and decay heads with γ_h = 1: stored as running means S' = S_t/t, z' = z_t/t
 *       (t = {@code state.tokens()}), so the magnitudes stay bounded on unbounded streams; the
 *       output is computed as y = QᵀS' / (Qᵀz' + eps/t), which is exactly the formula above, eps
 *       included.</li>
 *   <li>decay with γ_h &lt; 1, gated, delta: stored as the true S, z (decay keeps them below
 *       max‖Kvᵀ‖/(1−γ); delta keeps ‖S‖ bounded since ‖k̂‖ = 1 and β ∈ (0, 1)).</li>
 * </ul>
 * In float32 the updates are computed in float64 and rounded once when stored. Projections,
 * features and outputs are float64.
 *
 * <p><b>Speed.</b> The weights are kept transposed ([in][out]) with the q/k/v (and gate) projections
 * fused into one block, so every matrix-vector product is a sequence of axpy operations over
 * contiguous rows, which the C2 JIT vectorizes (it does not vectorize floating-point sum
 * reductions, nor, in Java 17, loops over arrays offset by a run-time value: hence one array per
 * weight row, every hot loop indexed from 0). For {@link #stepToken} the projected and mapped q, k, v (and gates) of every
 * vocabulary row are computed once at construction, so a token step costs only the state update
 * and the output projection; for linear/decay in float64 also the outer products φ(k)vᵀ, so the
 * update is one flat loop over the whole state ({@link #step} builds them into a scratch first).
 * When the JVM resolves {@code jdk.incubator.vector} ({@link VectorSupport}), the projections and
 * the float64 recurrence (every variant; for decay, unless it mixes running-mean and decaying heads)
 * run on {@link VectorKernels} instead, which give the same
 * bits and need no outer-product tables.
 *
 * <p>Not thread-safe: it owns scratch buffers so that a step allocates nothing. Create one per
 * thread (a Flink subtask builds its own in {@code open}).
 */
public final class RecurrentLinearAttention implements ModelStepper {
    /** Upper bound on the precomputed per-token feature table (doubles), 32 MiB. */
    private static final long TOKEN_TABLE_LIMIT = 4L << 20;

    private final AttentionConfig config;
    private final FeatureMap phi;
    private final Variant variant;
    private final int dModel;
    private final int heads;
    private final int dk;
    private final int dv;
    private final int dOut;
    private final int dPhi;
    private final double eps;
    private final boolean float64;
    private final int stateLength;
    /** Per head block size in the flat state, and offset of z inside it. */
    private final int headBlock;
    private final int zOffset;
    /** γ per head (decay); a head with γ = 1 is stored as running means like linear. */
    private final double[] gamma;
    private final boolean[] meanHead;

    // fused input projection: columns [q | k | v | gate | beta | alpha], width pWidth
    private final int pWidth;
    private final int pQ;
    private final int pK;
    private final int pV;
    private final int pG;
    private final int pB;
    private final int pA;
    private final boolean hasAlpha;
    private final double[][] inRows;  // W_inᵀ: [d_model][pWidth], one array per row (see class doc)
    private final double[] inBias; // [pWidth]
    private final double[][] outRows; // W_oᵀ: [H·d_v][d_out], one array per row
    private final double[] outBias; // [d_out]

    // prepared token: [Q (H·dφ) | K (H·dφ) | v (H·dv) | α gated (H·dk) | β (H) | α delta (H)], width fWidth
    private final int fWidth;
    private final int fQ;
    private final int fK;
    private final int fV;
    private final int fG;
    private final int fB;
    private final int fA;

    private final String vocab;
    private final int vocabSize;
    private final double[] embedding;
    private final byte[] asciiIds;
    /** Prepared features per vocabulary row ([vocab][fWidth]), or null when too large. */
    private final double[] tokenTable;
    /**
     * linear/decay, float64: per vocabulary row, in the layout of the state, K_h v_hᵀ and K_h of
     * every head, so the whole update is one loop S = a∘S + c·KVZ from index 0 (which C2 vectorizes);
     * or null.
     */
    private final double[][] tokenOuter;
    /** γ_h expanded to the state layout, for decay when no head is stored as running means. */
    private final double[] decayExpanded;
    /** Scratch K vᵀ/K for {@link #step} when the flat update applies (linear/decay, float64). */
    private final double[] kvzScratch;

    // scratch, owned by this (single-threaded) layer
    private final double[] proj;
    private final double[] feat;
    private final double[] headOut;
    private final double[] tmp;
    private final double[] yBuf;

    // Vector API kernels (see VectorKernels): projections when at least one vector wide; the fused
    // recurrence (vectorFlat) when the state is float64, d_v a whole number of vectors, and the
    // variant linear, decay (all heads running means or all decaying), gated or delta
    private final boolean vectorProject;
    private final boolean vectorOut;
    private final boolean vectorFlat;
    private final boolean vector32; // the float32 twins of the fused kernels (every variant)
    private final boolean allMean; // every head a running mean (linear; decay with all γ_h = 1)
    private final double[] projBlock; // [4][pWidth]: projections of four tokens (steps with the vector kernels)

    /** Tokens per chunk of the chunk form (linear, decay). */
    public static final int CHUNK = 64;
    /** Calls of at least this many tokens run linear and decay in the chunk form; shorter ones token by token. */
    public static final int CHUNK_MIN = 16;
    private final boolean chunkForm;
    private final double[] featBlock;  // [CHUNK][fWidth]: prepared tokens of a chunk
    private final double[] outBlock;   // [CHUNK][H·d_v]: head outputs of a chunk
    private final double[] weights;    // [CHUNK][CHUNK]: decay-weighted Q_t·K_j, j ≤ t
    private final double[] head64;     // [headBlock]: float64 working copy of a float32 head
    private final double[] gammaPow;   // [H][CHUNK + 1]: γ_h^m
    /** Offset of this layer's slice in the state of the current call (0 unless called through the ...At methods). */
    private int stateOff;

    public RecurrentLinearAttention(AttentionConfig config, AttentionWeights weights) {
        this(config, weights, VectorSupport.enabled());
    }

    /**
     * A layer whose feature map is given rather than built from the configuration (e.g.
     * {@link FeatureMap#favorStored}, a checkpoint's own ω). It must be of the configuration's
     * kind, input width d_k and d_φ ({@link FeatureMap#dim(AttentionConfig)}), so the state has
     * the configuration's shape.
     */
    public RecurrentLinearAttention(AttentionConfig config, AttentionWeights weights, FeatureMap featureMap) {
        this(config, weights, featureMap, VectorSupport.enabled());
    }

    /** {@code vector}: use the Vector API kernels (only when {@link VectorSupport#enabled()}; tests compare both). */
    RecurrentLinearAttention(AttentionConfig config, AttentionWeights weights, boolean vector) {
        this(config, weights, config == null ? null : FeatureMap.of(config), vector);
    }

    RecurrentLinearAttention(AttentionConfig config, AttentionWeights weights, FeatureMap featureMap, boolean vector) {
        this(config, weights, featureMap, vector, false);
    }

    /**
     * {@code chunkForm}: calls of {@value #CHUNK_MIN} tokens or more of {@link #steps} and
     * {@link #stepTokens} run linear and decay attention in their chunk form (equations on the chunk method),
     * within 1e-12 relative of token stepping in float64 but not the same bits, so that results
     * then depend at rounding level on how a sequence is cut into calls. Off (the other
     * constructors): every call gives bit for bit the token-by-token results. Nothing uses it by
     * default: in plain Java loops it is slower than the Vector API token kernels at the head
     * sizes of the shipped models.
     */
    public RecurrentLinearAttention(AttentionConfig config, AttentionWeights weights, FeatureMap featureMap,
                                    boolean vector, boolean chunkForm) {
        if (config == null || weights == null || featureMap == null) {
            throw new IllegalArgumentException("config, weights and feature map must not be null");
        }
        if (featureMap.kind() != config.featureMap() || featureMap.inputDim() != config.dKey()
                || featureMap.dim() != FeatureMap.dim(config)) {
            throw new IllegalArgumentException("feature map " + featureMap.kind().metadataName() + " (d_k "
                    + featureMap.inputDim() + ", d_φ " + featureMap.dim() + ") does not fit " + config);
        }
        this.config = config;
        this.phi = featureMap;
        this.variant = config.variant();
        this.dModel = config.dModel();
        this.heads = config.heads();
        this.dk = config.dKey();
        this.dv = config.dValue();
        this.dOut = config.dOut();
        this.dPhi = phi.dim();
        this.eps = config.eps();
        this.float64 = config.statePrecision() == StatePrecision.FLOAT64;
        boolean delta = variant == Variant.DELTA;
        this.zOffset = dPhi * dv;
        this.headBlock = delta ? dPhi * dv : dPhi * dv + dPhi;
        long len = (long) heads * headBlock;
        if (len > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("state too large: " + len + " elements for " + config);
        }
        this.stateLength = (int) len;
        this.gamma = variant == Variant.DECAY ? config.decay() : new double[heads];
        this.meanHead = new boolean[heads];
        for (int h = 0; h < heads; h++) {
            meanHead[h] = variant == Variant.LINEAR || (variant == Variant.DECAY && gamma[h] == 1.0);
        }

        WeightCheck.check(config, weights);
        this.hasAlpha = delta && weights.alphaWeight != null;
        int hk = heads * dk;
        int hv = heads * dv;
        this.pQ = 0;
        this.pK = hk;
        this.pV = 2 * hk;
        this.pG = pV + hv;
        this.pB = pG + (variant == Variant.GATED ? hk : 0);
        this.pA = pB + (delta ? heads : 0);
        this.pWidth = pA + (hasAlpha ? heads : 0);
        this.inRows = new double[dModel][pWidth];
        this.inBias = new double[pWidth];
        placeTransposed(weights.queryWeight, weights.queryBias, hk, pQ);
        placeTransposed(weights.keyWeight, weights.keyBias, hk, pK);
        placeTransposed(weights.valueWeight, weights.valueBias, hv, pV);
        if (variant == Variant.GATED) {
            placeTransposed(weights.gateWeight, weights.gateBias, hk, pG);
        }
        if (delta) {
            placeTransposed(weights.betaWeight, weights.betaBias, heads, pB);
            if (hasAlpha) {
                placeTransposed(weights.alphaWeight, weights.alphaBias, heads, pA);
            }
        }
        this.outRows = new double[hv][dOut];
        for (int o = 0; o < dOut; o++) {
            for (int j = 0; j < hv; j++) {
                outRows[j][o] = weights.outWeight[o * hv + j];
            }
        }
        this.outBias = weights.outBias == null ? new double[dOut] : weights.outBias.clone();

        int hphi = heads * dPhi;
        this.fQ = 0;
        this.fK = hphi;
        this.fV = 2 * hphi;
        this.fG = fV + hv;
        this.fB = fG + (variant == Variant.GATED ? hk : 0);
        this.fA = fB + (delta ? heads : 0);
        this.fWidth = fA + (delta ? heads : 0);

        this.proj = new double[pWidth];
        this.feat = new double[fWidth];
        this.headOut = new double[hv];
        this.tmp = new double[dv];
        this.yBuf = new double[dOut];
        if (vector && !VectorSupport.enabled()) {
            throw new IllegalStateException("the Vector API kernels are not available: " + VectorSupport.describe());
        }
        // narrower than one vector: the plain loops (all columns would be the scalar tail)
        this.vectorProject = vector && pWidth >= VectorKernels.LANES;
        this.vectorOut = vector && dOut >= VectorKernels.LANES;

        this.vocab = config.vocab();
        this.embedding = weights.embedding == null ? null : weights.embedding.clone();
        this.vocabSize = embedding == null ? 0 : embedding.length / dModel;
        this.asciiIds = new byte[128];
        java.util.Arrays.fill(asciiIds, (byte) -1);
        if (vocab != null) {
            for (int i = 0; i < vocab.length() && i < 127; i++) {
                char c = vocab.charAt(i);
                if (c < 128) {
                    asciiIds[c] = (byte) i;
                }
            }
        }
        if (vocabSize > 0 && (long) vocabSize * fWidth <= TOKEN_TABLE_LIMIT) {
            this.tokenTable = new double[vocabSize * fWidth];
            for (int id = 0; id < vocabSize; id++) {
                project(embedding, id * dModel);
                prepare(tokenTable, id * fWidth);
            }
        } else {
            this.tokenTable = null;
        }
        boolean anyMean = false;
        boolean everyMean = true;
        for (boolean m : meanHead) {
            anyMean |= m;
            everyMean &= m;
        }
        this.allMean = everyMean;
        boolean flatUpdate = (variant == Variant.LINEAR || variant == Variant.DECAY) && (allMean || !anyMean);
        // gated: the same kernel with a gate per row of S (its d_φ = d_k: elu or relu); delta: its own
        this.vectorFlat = vector && (flatUpdate || variant == Variant.GATED || variant == Variant.DELTA) && float64
                && dv % VectorKernels.LANES == 0;
        this.vector32 = vector && !float64 && dv % VectorKernels.LANES == 0;
        this.kvzScratch = flatUpdate && float64 && !vectorFlat ? new double[stateLength] : null;
        this.projBlock = vectorFlat && vectorProject ? new double[4 * pWidth] : null;
        if (tokenTable != null && kvzScratch != null
                && (long) vocabSize * stateLength <= TOKEN_TABLE_LIMIT) {
            this.tokenOuter = new double[vocabSize][stateLength];
            for (int id = 0; id < vocabSize; id++) {
                double[] o = tokenOuter[id];
                for (int h = 0; h < heads; h++) {
                    int k = id * fWidth + fK + h * dPhi;
                    int v = id * fWidth + fV + h * dv;
                    int base = h * headBlock;
                    for (int i = 0; i < dPhi; i++) {
                        for (int j = 0; j < dv; j++) {
                            o[base + i * dv + j] = tokenTable[k + i] * tokenTable[v + j];
                        }
                        o[base + zOffset + i] = tokenTable[k + i];
                    }
                }
            }
        } else {
            this.tokenOuter = null;
        }
        this.chunkForm = chunkForm && (variant == Variant.LINEAR || variant == Variant.DECAY);
        this.featBlock = chunkForm ? new double[CHUNK * fWidth] : null;
        this.outBlock = chunkForm ? new double[CHUNK * heads * dv] : null;
        this.weights = chunkForm ? new double[CHUNK * CHUNK] : null;
        this.head64 = chunkForm ? new double[headBlock] : null;
        this.gammaPow = chunkForm ? new double[heads * (CHUNK + 1)] : null;
        if (chunkForm) {
            for (int h = 0; h < heads; h++) {
                for (int e = 0; e <= CHUNK; e++) {
                    gammaPow[h * (CHUNK + 1) + e] = Math.pow(gamma[h], e);
                }
            }
        }
        if (kvzScratch != null && !allMean) {
            this.decayExpanded = new double[stateLength];
            for (int h = 0; h < heads; h++) {
                java.util.Arrays.fill(decayExpanded, h * headBlock, (h + 1) * headBlock, gamma[h]);
            }
        } else {
            this.decayExpanded = null;
        }
    }

    /** Copies W [rows, d_model] (and bias) transposed into the fused block at column {@code col}. */
    private void placeTransposed(double[] w, double[] b, int rows, int col) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < dModel; i++) {
                inRows[i][col + r] = w[r * dModel + i];
            }
            inBias[col + r] = b == null ? 0.0 : b[r];
        }
    }

    public AttentionConfig config() {
        return config;
    }

    /** The feature map φ this layer applies to queries and keys. */
    public FeatureMap featureMap() {
        return phi;
    }

    /** Elements of the flat state of a layer with this configuration (all heads). */
    public static int stateLength(AttentionConfig config) {
        long dPhi = FeatureMap.dim(config);
        long headBlock = config.variant() == Variant.DELTA ? dPhi * config.dValue() : dPhi * config.dValue() + dPhi;
        long len = config.heads() * headBlock;
        if (len > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("state too large: " + len + " elements for " + config);
        }
        return (int) len;
    }

    /** Elements in the flat state (all heads). */
    public int stateLength() {
        return stateLength;
    }

    /** Bytes of the flat state: {@link #stateLength()} × element size (the token counter not included). */
    public long stateBytes() {
        return (long) stateLength * config.statePrecision().bytesPerElement();
    }

    public ModelState newState() {
        return new ModelState(config.statePrecision(), stateLength);
    }

    /** Row of the embedding for {@code symbol}, or -1 when the symbol is not in the vocabulary. */
    public int tokenId(char symbol) {
        if (vocab == null) {
            return -1;
        }
        if (symbol < 128 && vocab.length() <= 127) {
            return asciiIds[symbol];
        }
        return vocab.indexOf(symbol);
    }

    /** Number of embedding rows (0 when the model has no embedding). */
    public int vocabSize() {
        return vocabSize;
    }

    /** One token given as a d_model vector {@code x[xOff..xOff+d_model)}; output to {@code y[yOff..yOff+d_out)}. */
    public void step(ModelState state, double[] x, int xOff, double[] y, int yOff) {
        checkState(state);
        stateOff = 0;
        doStep(state, x, xOff, y, yOff);
    }

    /**
     * {@link #step} on this layer's slice of a larger flat state, at {@code stateOff} (a stack keeps
     * every layer in one array: no copy in and out). Increments the state's token count like
     * {@link #step}; the caller that shares the count between layers resets it between them.
     */
    public void stepAt(ModelState state, int stateOff, double[] x, int xOff, double[] y, int yOff) {
        checkState(state, stateOff);
        this.stateOff = stateOff;
        doStep(state, x, xOff, y, yOff);
    }

    /** {@link #stepToken} on the slice at {@code stateOff} (see {@link #stepAt}). */
    public void stepTokenAt(ModelState state, int stateOff, int tokenId, double[] y, int yOff) {
        checkId(tokenId);
        checkState(state, stateOff);
        this.stateOff = stateOff;
        doStepToken(state, tokenId, y, yOff);
    }

    /** {@link #steps} on the slice at {@code stateOff} (see {@link #stepAt}). */
    public void stepsAt(ModelState state, int stateOff, double[] xs, int xOff, int n, double[] ys, int yOff) {
        checkState(state, stateOff);
        this.stateOff = stateOff;
        doSteps(state, xs, xOff, n, ys, yOff);
    }

    /** {@link #stepTokens} on the slice at {@code stateOff} (see {@link #stepAt}). */
    public void stepTokensAt(ModelState state, int stateOff, int[] ids, int off, int n, double[] ys, int yOff) {
        for (int i = 0; i < n; i++) {
            checkId(ids[off + i]);
        }
        checkState(state, stateOff);
        this.stateOff = stateOff;
        doStepTokens(state, ids, off, n, ys, yOff);
    }

    private void checkId(int tokenId) {
        if (tokenId < 0 || tokenId >= vocabSize) {
            throw new IllegalArgumentException("token id " + tokenId + " out of range [0, " + vocabSize + ")"
                    + (vocabSize == 0 ? ": the model has no embedding" : ""));
        }
    }

    private void doStep(ModelState state, double[] x, int xOff, double[] y, int yOff) {
        project(x, xOff);
        prepare(feat, 0);
        if (vectorFlat) {
            advanceVector(state, feat, 0, y, yOff);
        } else if (kvzScratch != null) {
            outerProducts(feat, kvzScratch);
            advanceFlat(state, feat, 0, kvzScratch, y, yOff);
        } else {
            advance(state, feat, 0, y, yOff);
        }
    }

    /** kvz = per head K vᵀ then K, in the state layout (the input of {@link #advanceFlat}). */
    private void outerProducts(double[] f, double[] kvz) {
        for (int h = 0; h < heads; h++) {
            int k = fK + h * dPhi;
            int v = fV + h * dv;
            int base = h * headBlock;
            for (int i = 0; i < dPhi; i++) {
                double ki = f[k + i];
                int row = base + i * dv;
                for (int j = 0; j < dv; j++) {
                    kvz[row + j] = ki * f[v + j];
                }
                kvz[base + zOffset + i] = ki;
            }
        }
    }

    /** One token given as an embedding row id in [0, vocabSize). */
    public void stepToken(ModelState state, int tokenId, double[] y, int yOff) {
        checkId(tokenId);
        checkState(state);
        stateOff = 0;
        doStepToken(state, tokenId, y, yOff);
    }

    private void doStepToken(ModelState state, int tokenId, double[] y, int yOff) {
        if (vectorFlat && tokenTable != null) {
            advanceVector(state, tokenTable, tokenId * fWidth, y, yOff);
        } else if (tokenOuter != null) {
            advanceFlat(state, tokenTable, tokenId * fWidth, tokenOuter[tokenId], y, yOff);
        } else if (tokenTable != null) {
            advance(state, tokenTable, tokenId * fWidth, y, yOff);
        } else {
            project(embedding, tokenId * dModel);
            prepare(feat, 0);
            advance(state, feat, 0, y, yOff);
        }
    }

    /** {@code n} vectors {@code xs[xOff + i·d_model ..]} in order; outputs to {@code ys[yOff + i·d_out ..]}. */
    public void steps(ModelState state, double[] xs, int xOff, int n, double[] ys, int yOff) {
        if (n > 0) {
            checkState(state);
        }
        stateOff = 0;
        doSteps(state, xs, xOff, n, ys, yOff);
    }

    private void doSteps(ModelState state, double[] xs, int xOff, int n, double[] ys, int yOff) {
        if (chunkForm && n >= CHUNK_MIN) {
            for (int done = 0; done < n; ) {
                int b = Math.min(CHUNK, n - done);
                if (b < CHUNK_MIN) {
                    for (int t = done; t < n; t++) {
                        doStep(state, xs, xOff + t * dModel, ys, yOff + t * dOut);
                    }
                    return;
                }
                for (int t = 0; t < b; t++) {
                    project(xs, xOff + (done + t) * dModel);
                    prepare(featBlock, t * fWidth);
                }
                chunk(state, b, ys, yOff + done * dOut);
                done += b;
            }
            return;
        }
        int i = 0;
        if (projBlock != null) {
            // Vector API: project four tokens per pass over the weights, then the recurrence token by token
            for (; i + 3 < n; i += 4) {
                VectorKernels.project4(xs, xOff + i * dModel, dModel, inRows, inBias, pWidth, projBlock);
                for (int t = 0; t < 4; t++) {
                    prepare(projBlock, t * pWidth, feat, 0);
                    advanceVector(state, feat, 0, ys, yOff + (i + t) * dOut);
                }
            }
        }
        for (; i < n; i++) {
            doStep(state, xs, xOff + i * dModel, ys, yOff + i * dOut);
        }
    }

    /** {@code n} token ids {@code ids[off..off+n)} in order; outputs to {@code ys[yOff + i·d_out ..]}. */
    public void stepTokens(ModelState state, int[] ids, int off, int n, double[] ys, int yOff) {
        if (n > 0) {
            checkState(state);
        }
        stateOff = 0;
        if (chunkForm && n >= CHUNK_MIN) {
            for (int i = 0; i < n; i++) {
                checkId(ids[off + i]);
            }
            doStepTokens(state, ids, off, n, ys, yOff);
        } else {
            // token by token, each id checked when its turn comes (as stepToken)
            for (int i = 0; i < n; i++) {
                checkId(ids[off + i]);
                doStepToken(state, ids[off + i], ys, yOff + i * dOut);
            }
        }
    }

    private void doStepTokens(ModelState state, int[] ids, int off, int n, double[] ys, int yOff) {
        if (chunkForm && n >= CHUNK_MIN) {
            for (int done = 0; done < n; ) {
                int b = Math.min(CHUNK, n - done);
                if (b < CHUNK_MIN) {
                    for (int t = done; t < n; t++) {
                        doStepToken(state, ids[off + t], ys, yOff + t * dOut);
                    }
                    return;
                }
                for (int t = 0; t < b; t++) {
                    int id = ids[off + done + t];
                    if (tokenTable != null) {
                        System.arraycopy(tokenTable, id * fWidth, featBlock, t * fWidth, fWidth);
                    } else {
                        project(embedding, id * dModel);
                        prepare(featBlock, t * fWidth);
                    }
                }
                chunk(state, b, ys, yOff + done * dOut);
                done += b;
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            doStepToken(state, ids[off + i], ys, yOff + i * dOut);
        }
    }

    /** A slice of {@link #stateLength} elements at {@code off} of a state of this layer's precision. */
    private void checkState(ModelState state, int off) {
        if (off < 0 || (long) off + stateLength > state.length() || state.precision() != config.statePrecision()) {
            throw new IllegalArgumentException("state of " + state.length() + " " + state.precision()
                    + " values has no slice of " + stateLength + " " + config.statePrecision() + " at " + off);
        }
    }

    private void checkState(ModelState state) {
        if (state.length() != stateLength || state.precision() != config.statePrecision()) {
            throw new IllegalArgumentException("state of " + state.length() + " " + state.precision()
                    + " values does not fit this layer (" + stateLength + " " + config.statePrecision() + ")");
        }
    }

    /**
     * proj = W_in x + b_in as axpy over the rows of W_inᵀ, four rows per pass. Every array is
     * indexed from 0 by the loop variable: Java 17's C2 vectorizes such loops but not loops whose
     * arrays are offset by a run-time value (measured here: ~5× slower).
     */
    private void project(double[] x, int xOff) {
        if (vectorProject) {
            VectorKernels.project(x, xOff, dModel, inRows, inBias, pWidth, proj, 0);
            return;
        }
        final double[] p = proj;
        final int n = pWidth;
        System.arraycopy(inBias, 0, p, 0, n);
        int i = 0;
        for (; i + 3 < dModel; i += 4) {
            double x0 = x[xOff + i];
            double x1 = x[xOff + i + 1];
            double x2 = x[xOff + i + 2];
            double x3 = x[xOff + i + 3];
            double[] w0 = inRows[i];
            double[] w1 = inRows[i + 1];
            double[] w2 = inRows[i + 2];
            double[] w3 = inRows[i + 3];
            for (int j = 0; j < n; j++) {
                p[j] += x0 * w0[j] + x1 * w1[j] + x2 * w2[j] + x3 * w3[j];
            }
        }
        for (; i < dModel; i++) {
            double xi = x[xOff + i];
            double[] w = inRows[i];
            for (int j = 0; j < n; j++) {
                p[j] += xi * w[j];
            }
        }
    }

    /** From {@code proj} to the prepared token at {@code out[off..off+fWidth)}: φ(q), φ(k), v, gates. */
    private void prepare(double[] out, int off) {
        prepare(proj, 0, out, off);
    }

    /** {@link #prepare(double[], int)} from the projections at {@code p[po..po+pWidth)}. */
    private void prepare(double[] p, int po, double[] out, int off) {
        for (int h = 0; h < heads; h++) {
            phi.apply(p, po + pQ + h * dk, out, off + fQ + h * dPhi);
            phi.apply(p, po + pK + h * dk, out, off + fK + h * dPhi);
        }
        System.arraycopy(p, po + pV, out, off + fV, heads * dv);
        if (variant == Variant.GATED) {
            for (int j = 0; j < heads * dk; j++) {
                // α = sigmoid(g)^(1/16) = exp(log sigmoid(g) / 16), without overflow for large |g|
                out[off + fG + j] = Math.exp(logSigmoid(p[po + pG + j]) / 16.0);
            }
        } else if (variant == Variant.DELTA) {
            for (int h = 0; h < heads; h++) {
                normalize(out, off + fQ + h * dPhi, dPhi);
                normalize(out, off + fK + h * dPhi, dPhi);
                out[off + fB + h] = sigmoid(p[po + pB + h]);
                out[off + fA + h] = hasAlpha ? sigmoid(p[po + pA + h]) : 1.0;
            }
        }
    }

    /** Scales a[off..off+n) to unit L2 norm; a zero vector (relu with all keys ≤ 0) stays zero. */
    static void normalize(double[] a, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[off + i] * a[off + i];
        }
        if (s > 0) {
            double inv = 1.0 / Math.sqrt(s);
            for (int i = 0; i < n; i++) {
                a[off + i] *= inv;
            }
        }
    }

    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    static double logSigmoid(double x) {
        return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
    }

    /**
     * The chunk form of linear and decay for the n ≤ {@value #CHUNK} prepared tokens in featBlock.
     * Per head, with S₀, z₀ the true sums before the chunk (t₀ S', t₀ z' for a running-mean head,
     * t₀ = tokens before the chunk) and w_tj = Q_t·K_j (× γ^{t−j} for a decaying head), for the
     * chunk's tokens t = 0 .. n−1:
     * <pre>
     *   y_t = (c_t Q_tᵀS₀ + Σ_{j≤t} w_tj v_j) / (c_t Q_t·z₀ + Σ_{j≤t} w_tj + eps),  c_t = 1 (mean), γ^{t+1} (decay)
     *   mean:  S' ← (t₀ S' + Σ_j K_j v_jᵀ)/(t₀+n),   z' likewise
     *   decay: S ← γ^n S + Σ_j γ^{n−1−j} K_j v_jᵀ,   z likewise
     * </pre>
     * The same values as n token steps, summed in another order (within 1e-12 relative in float64).
     * A float32 head is widened, updated once and stored with the unbiased rounding of a token step,
     * its noise seeded by the token count at the chunk's end.
     */
    private void chunk(ModelState state, int n, double[] ys, int yOff) {
        long t0 = state.tokens();
        long t1 = t0 + n;
        double[] sd = state.doubles();
        float[] sf = state.floats();
        final double[] f = featBlock;
        final int hv = heads * dv;
        for (int h = 0; h < heads; h++) {
            int base = stateOff + h * headBlock;
            double[] s;
            int sb;
            if (float64) {
                s = sd;
                sb = base;
            } else {
                for (int e = 0; e < headBlock; e++) {
                    head64[e] = sf[base + e];
                }
                s = head64;
                sb = 0;
            }
            int z = sb + zOffset;
            boolean mean = meanHead[h];
            int gp = h * (CHUNK + 1);
            int qo = fQ + h * dPhi;
            int ko = fK + h * dPhi;
            int vo = fV + h * dv;
            for (int t = 0; t < n; t++) {
                int q = t * fWidth + qo;
                for (int j = 0; j <= t; j++) {
                    int k = j * fWidth + ko;
                    double a = 0;
                    for (int i = 0; i < dPhi; i++) {
                        a += f[q + i] * f[k + i];
                    }
                    weights[t * CHUNK + j] = mean ? a : a * gammaPow[gp + t - j];
                }
            }
            for (int t = 0; t < n; t++) {
                int q = t * fWidth + qo;
                int out = t * hv + h * dv;
                for (int c = 0; c < dv; c++) {
                    outBlock[out + c] = 0.0;
                }
                double den = 0;
                for (int i = 0; i < dPhi; i++) {
                    double qi = f[q + i];
                    int row = sb + i * dv;
                    for (int c = 0; c < dv; c++) {
                        outBlock[out + c] += qi * s[row + c];
                    }
                    den += qi * s[z + i];
                }
                double c0 = mean ? (double) t0 : gammaPow[gp + t + 1];
                for (int c = 0; c < dv; c++) {
                    outBlock[out + c] *= c0;
                }
                den *= c0;
                for (int j = 0; j <= t; j++) {
                    double w = weights[t * CHUNK + j];
                    int v = j * fWidth + vo;
                    for (int c = 0; c < dv; c++) {
                        outBlock[out + c] += w * f[v + c];
                    }
                    den += w;
                }
                double inv = 1.0 / (den + eps);
                for (int c = 0; c < dv; c++) {
                    outBlock[out + c] *= inv;
                }
            }
            // state at the chunk's end
            double a = mean ? (double) t0 / (double) t1 : gammaPow[gp + n];
            for (int i = 0; i < dPhi; i++) {
                int row = sb + i * dv;
                for (int c = 0; c < dv; c++) {
                    s[row + c] *= a;
                }
                double zi = a * s[z + i];
                for (int j = 0; j < n; j++) {
                    double kij = (mean ? 1.0 / (double) t1 : gammaPow[gp + n - 1 - j]) * f[j * fWidth + ko + i];
                    int v = j * fWidth + vo;
                    for (int c = 0; c < dv; c++) {
                        s[row + c] += kij * f[v + c];
                    }
                    zi += kij;
                }
                s[z + i] = zi;
            }
            if (!float64) {
                long noise = noiseSeed(t1, h);
                for (int e = 0; e < headBlock; e++) {
                    noise += WEYL;
                    sf[base + e] = toFloat(head64[e], noise);
                }
            }
        }
        state.setTokens(t1);
        for (int t = 0; t < n; t++) {
            System.arraycopy(outBlock, t * hv, headOut, 0, hv);
            outProject(ys, yOff + t * dOut);
        }
    }

    /** State update and output for one prepared token f[fo..fo+fWidth). */
    private void advance(ModelState state, double[] f, int fo, double[] y, int yOff) {
        long t = state.tokens() + 1;
        state.setTokens(t);
        // running-mean heads: S'_t = ((t-1)/t) S'_{t-1} + (1/t) K vᵀ
        double meanA = (double) (t - 1) / (double) t;
        double meanC = 1.0 / (double) t;
        double[] sd = state.doubles();
        float[] sf = state.floats();
        for (int h = 0; h < heads; h++) {
            int base = stateOff + h * headBlock;
            int q = fo + fQ + h * dPhi;
            int k = fo + fK + h * dPhi;
            int v = fo + fV + h * dv;
            int yh = h * dv;
            if (variant == Variant.DELTA) {
                if (float64) {
                    deltaHead(sd, base, f, q, k, v, f[fo + fB + h], f[fo + fA + h], yh);
                } else if (vector32) {
                    VectorKernels.deltaHead32(sf, base, f, q, k, v, f[fo + fB + h], f[fo + fA + h], dPhi, dv, headOut,
                            yh, noiseSeed(t, h));
                } else {
                    deltaHead(sf, base, f, q, k, v, f[fo + fB + h], f[fo + fA + h], yh, noiseSeed(t, h));
                }
                continue;
            }
            double a;
            double c;
            double epsT;
            if (meanHead[h]) {
                a = meanA;
                c = meanC;
                epsT = eps * meanC;
            } else {
                a = gamma[h];
                c = 1.0;
                epsT = eps;
            }
            int gate = variant == Variant.GATED ? fo + fG + h * dk : -1;
            double den = float64
                    ? updateHead(sd, base, f, q, k, v, gate, a, c, yh)
                    : vector32
                    ? VectorKernels.updateHead32(sf, base, f, q, k, v, gate, a, c, dPhi, dv, zOffset, headOut, yh,
                            noiseSeed(t, h))
                    : updateHead(sf, base, f, q, k, v, gate, a, c, yh, noiseSeed(t, h));
            double inv = 1.0 / (den + epsT);
            for (int j = 0; j < dv; j++) {
                headOut[yh + j] *= inv;
            }
        }
        outProject(y, yOff);
    }

    /**
     * linear/decay in float64 with the precomputed KVZ of a token (K vᵀ and K per head, in the
     * state layout): the whole update S = a S + c KVZ, z = a z + c K is one loop from index 0
     * (a, c scalars when every head is a running mean; a = γ per element and c = 1 otherwise).
     * Same expressions, hence the same bits, as {@link #updateHead}. Then y_h = QᵀS_h / (Qᵀz_h + eps_t).
     */
    private void advanceFlat(ModelState state, double[] f, int fo, double[] kvz, double[] y, int yOff) {
        long t = state.tokens() + 1;
        state.setTokens(t);
        final double[] s = state.doubles();
        final int n = stateLength;
        double c = 1.0 / (double) t;
        final int so = stateOff;
        if (so == 0) {
            // indexed from 0: the loops C2 vectorizes
            if (decayExpanded == null) {
                double a = (double) (t - 1) / (double) t;
                for (int e = 0; e < n; e++) {
                    s[e] = a * s[e] + c * kvz[e];
                }
            } else {
                final double[] g = decayExpanded;
                for (int e = 0; e < n; e++) {
                    s[e] = g[e] * s[e] + 1.0 * kvz[e];
                }
            }
        } else if (decayExpanded == null) {
            double a = (double) (t - 1) / (double) t;
            for (int e = 0; e < n; e++) {
                s[so + e] = a * s[so + e] + c * kvz[e];
            }
        } else {
            final double[] g = decayExpanded;
            for (int e = 0; e < n; e++) {
                s[so + e] = g[e] * s[so + e] + 1.0 * kvz[e];
            }
        }
        double epsT = decayExpanded == null ? eps * c : eps;
        for (int h = 0; h < heads; h++) {
            int base = stateOff + h * headBlock;
            int z = base + zOffset;
            int q = fo + fQ + h * dPhi;
            double den = 0.0;
            for (int i = 0; i < dPhi; i++) {
                den += f[q + i] * s[z + i];
            }
            queryRows(s, base, f, q, h * dv);
            double inv = 1.0 / (den + epsT);
            for (int j = 0; j < dv; j++) {
                headOut[h * dv + j] *= inv;
            }
        }
        outProject(y, yOff);
    }

    /**
     * {@link #advanceFlat}, and {@link #advance} for gated and delta, with the fused Vector API
     * kernels: the outer products are never stored.
     */
    private void advanceVector(ModelState state, double[] f, int fo, double[] y, int yOff) {
        long t = state.tokens() + 1;
        state.setTokens(t);
        if (variant == Variant.DELTA) {
            VectorKernels.deltaHeads(state.doubles(), stateOff, f, fo + fQ, fo + fK, fo + fV, fo + fB, fo + fA, heads,
                    dPhi, dv, headBlock, headOut);
        } else {
            // running means (linear; decay with every γ = 1): S' = ((t-1)/t) S' + (1/t) K vᵀ, eps/t;
            // decay with every γ < 1 (γ_h) and gated (a gate per row of S): c = 1, eps
            VectorKernels.advanceFlat(state.doubles(), stateOff, f, fo + fQ, fo + fK, fo + fV,
                    variant == Variant.GATED ? fo + fG : -1, heads, dPhi, dv, headBlock, zOffset,
                    allMean ? (double) (t - 1) / (double) t : 1.0, allMean ? 1.0 / (double) t : 1.0,
                    variant == Variant.DECAY && !allMean ? gamma : null, allMean ? eps / (double) t : eps, headOut);
        }
        outProject(y, yOff);
    }

    /** headOut[yh..yh+d_v) = Σ_i Q_i S[i,:], four rows per pass (fewer loads/stores of the sum). */
    private void queryRows(double[] s, int base, double[] f, int q, int yh) {
        final double[] acc = headOut;
        for (int j = 0; j < dv; j++) {
            acc[yh + j] = 0.0;
        }
        int i = 0;
        for (; i + 3 < dPhi; i += 4) {
            double q0 = f[q + i];
            double q1 = f[q + i + 1];
            double q2 = f[q + i + 2];
            double q3 = f[q + i + 3];
            int r0 = base + i * dv;
            int r1 = r0 + dv;
            int r2 = r1 + dv;
            int r3 = r2 + dv;
            for (int j = 0; j < dv; j++) {
                acc[yh + j] += q0 * s[r0 + j] + q1 * s[r1 + j] + q2 * s[r2 + j] + q3 * s[r3 + j];
            }
        }
        for (; i < dPhi; i++) {
            double qi = f[q + i];
            int r = base + i * dv;
            for (int j = 0; j < dv; j++) {
                acc[yh + j] += qi * s[r + j];
            }
        }
    }

    /**
     * The one kernel of linear/decay/gated: for each row i,
     * S[i,:] = a_i S[i,:] + c K_i v, z_i = a_i z_i + c K_i (a_i = α_i when gated, else a),
     * then headOut[yh..] = QᵀS. Returns Qᵀz.
     */
    private double updateHead(double[] s, int base, double[] f, int q, int k, int v, int gate,
                              double a, double c, int yh) {
        int z = base + zOffset;
        double den = 0.0;
        for (int i = 0; i < dPhi; i++) {
            double ai = gate >= 0 ? f[gate + i] : a;
            double ki = f[k + i];
            int row = base + i * dv;
            // c·(K_i v_j): the same rounding as the precomputed outer products of the token path
            for (int j = 0; j < dv; j++) {
                s[row + j] = ai * s[row + j] + c * (ki * f[v + j]);
            }
            double zi = ai * s[z + i] + c * ki;
            s[z + i] = zi;
            den += f[q + i] * zi;
        }
        queryRows(s, base, f, q, yh);
        return den;
    }

    /**
     * float32 twin of {@link #updateHead(double[], int, double[], int, int, int, int, double, double, int)}:
     * computed in float64, stored with {@link #toFloat unbiased rounding}.
     */
    private double updateHead(float[] s, int base, double[] f, int q, int k, int v, int gate,
                              double a, double c, int yh, long noise) {
        final double[] acc = headOut;
        for (int j = 0; j < dv; j++) {
            acc[yh + j] = 0.0;
        }
        int z = base + zOffset;
        double den = 0.0;
        for (int i = 0; i < dPhi; i++) {
            double ai = gate >= 0 ? f[gate + i] : a;
            double ck = c * f[k + i];
            double qi = f[q + i];
            int row = base + i * dv;
            for (int j = 0; j < dv; j++) {
                noise += WEYL;
                float sv = toFloat(ai * s[row + j] + ck * f[v + j], noise);
                s[row + j] = sv;
                acc[yh + j] += qi * sv;
            }
            noise += WEYL;
            float zi = toFloat(ai * s[z + i] + ck, noise);
            s[z + i] = zi;
            den += qi * zi;
        }
        return den;
    }

    /**
     * Gated delta rule for one head: with u = S_oldᵀk̂,
     * S = α S_old + k̂ (β (v − α u))ᵀ  (= αS + β k̂ (v − (αS)ᵀk̂)ᵀ), then headOut = Sᵀq̂.
     */
    private void deltaHead(double[] s, int base, double[] f, int q, int k, int v, double beta,
                           double alpha, int yh) {
        final double[] u = tmp;
        final double[] acc = headOut;
        for (int j = 0; j < dv; j++) {
            u[j] = 0.0;
            acc[yh + j] = 0.0;
        }
        for (int i = 0; i < dPhi; i++) {
            double ki = f[k + i];
            int row = base + i * dv;
            for (int j = 0; j < dv; j++) {
                u[j] += ki * s[row + j];
            }
        }
        for (int j = 0; j < dv; j++) {
            u[j] = beta * (f[v + j] - alpha * u[j]);
        }
        for (int i = 0; i < dPhi; i++) {
            double ki = f[k + i];
            double qi = f[q + i];
            int row = base + i * dv;
            for (int j = 0; j < dv; j++) {
                double sv = alpha * s[row + j] + ki * u[j];
                s[row + j] = sv;
                acc[yh + j] += qi * sv;
            }
        }
    }

    /** float32 twin of {@link #deltaHead(double[], int, double[], int, int, int, double, double, int)}. */
    private void deltaHead(float[] s, int base, double[] f, int q, int k, int v, double beta,
                           double alpha, int yh, long noise) {
        final double[] u = tmp;
        final double[] acc = headOut;
        for (int j = 0; j < dv; j++) {
            u[j] = 0.0;
            acc[yh + j] = 0.0;
        }
        for (int i = 0; i < dPhi; i++) {
            double ki = f[k + i];
            int row = base + i * dv;
            for (int j = 0; j < dv; j++) {
                u[j] += ki * s[row + j];
            }
        }
        for (int j = 0; j < dv; j++) {
            u[j] = beta * (f[v + j] - alpha * u[j]);
        }
        for (int i = 0; i < dPhi; i++) {
            double ki = f[k + i];
            double qi = f[q + i];
            int row = base + i * dv;
            for (int j = 0; j < dv; j++) {
                noise += WEYL;
                float sv = toFloat(alpha * s[row + j] + ki * u[j], noise);
                s[row + j] = sv;
                acc[yh + j] += qi * sv;
            }
        }
    }

    /** Golden-ratio increment: successive elements get well-spread rounding offsets. */
    static final long WEYL = 0x9E3779B97F4A7C15L;

    /** Start of the rounding-noise sequence for token t, head h (SplitMix64 finaliser of both). */
    private static long noiseSeed(long t, int h) {
        long z = t * 0xBF58476D1CE4E5B9L + h * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Rounds x to float32 up or down with probabilities proportional to the distance (stochastic
     * rounding), driven by the top 29 bits of {@code noise}. Round-to-nearest is biased when the
     * per-token change of a running mean falls below half a float32 ulp (t ≳ 10⁶): the mean then
     * stops moving and errors of 1e-2 build up by 10⁷ tokens. Unbiased rounding turns that into a
     * random walk of about 0.4 ulp·√(t/3), ~1e-4 relative per element at 10⁷. The noise depends only
     * on (token count, head, element), so runs, replays and split/resume stay bit-identical.
     */
    static float toFloat(double x, long noise) {
        // a double has 29 more mantissa bits than a float: add uniform noise there, then truncate
        long bits = Double.doubleToRawLongBits(x);
        bits = (bits + (noise >>> 35)) & ~0x1FFFFFFFL;
        return (float) Double.longBitsToDouble(bits);
    }

    /** y = W_o concat_h(y_h) + b_o as axpy over the rows of W_oᵀ into {@code yBuf} (indexed from 0), then copied. */
    private void outProject(double[] y, int yOff) {
        if (vectorOut) {
            VectorKernels.project(headOut, 0, heads * dv, outRows, outBias, dOut, y, yOff);
            return;
        }
        final double[] out = yBuf;
        final int n = dOut;
        final int m = heads * dv;
        System.arraycopy(outBias, 0, out, 0, n);
        int j = 0;
        for (; j + 3 < m; j += 4) {
            double a0 = headOut[j];
            double a1 = headOut[j + 1];
            double a2 = headOut[j + 2];
            double a3 = headOut[j + 3];
            double[] w0 = outRows[j];
            double[] w1 = outRows[j + 1];
            double[] w2 = outRows[j + 2];
            double[] w3 = outRows[j + 3];
            for (int o = 0; o < n; o++) {
                out[o] += a0 * w0[o] + a1 * w1[o] + a2 * w2[o] + a3 * w3[o];
            }
        }
        for (; j < m; j++) {
            double a = headOut[j];
            double[] w = outRows[j];
            for (int o = 0; o < n; o++) {
                out[o] += a * w[o];
            }
        }
        System.arraycopy(out, 0, y, yOff, n);
    }
}
