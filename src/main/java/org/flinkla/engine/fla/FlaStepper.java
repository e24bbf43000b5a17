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

import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;

/**
 * Decodes tokens of a {@link FlaLanguageModel}, one token or a chunk per call. A chunk runs layer
 * by layer over blocks of up to {@value #ROWS} tokens, so the weights are read once per block.
 * The recurrence takes a block in chunks of {@value #CHUNK} tokens from the start of the block
 * (the last one shorter): a chunk of fewer than {@value #CHUNK_MIN} tokens (and a single token)
 * steps FLA's {@code fused_recurrent} rule token by token, a longer one runs the chunk form
 * ({@link ChunkRecurrence}: the intra-chunk part as small matrix products, one state update per
 * chunk; the delta rules in their UT/WY form). The projections, convolutions, activations and
 * norms are the same either way.
 *
 * <p><b>Exactness.</b> The token loop gives bit for bit the same outputs and state however the
 * tokens are split into calls. The chunk form sums in another order: with a float64 state its
 * outputs and its state at every chunk end are within 1e-12 relative (norm-wise per token and per
 * layer; ~1e-14 measured) of token stepping. A float32 state is held in float64 inside a chunk
 * and rounded once at its end instead of after every token, so outputs then differ from token
 * stepping at float32 rounding level (~1e-7 relative measured) and depend, at that level, on how
 * a sequence is cut into calls (records). For the same calls they are deterministic: a replay
 * after a restore gives the same bits.
 *
 * <p>Per token and layer, with x = RMSNorm(h) and q, k, v = q_proj x, k_proj x, v_proj x:
 * <ul>
 *   <li>short convolution (when configured): each of q, k, v goes through its depthwise causal
 *       convolution over the previous conv_size − 1 inputs kept in the state;</li>
 *   <li><b>gated_deltanet</b>: q, k, v ← silu(·); per key head q ← q/√(Σq² + 1e-6)·d_k^−½,
 *       k ← k/√(Σk² + 1e-6); β = σ(b_proj x) (×2 with allow_neg_eigval);
 *       g = −exp(A_log)·softplus(a_proj x + dt_bias); for value head j (key head j / (HV/H)):
 *       S ← exp(g)·S, u = β(v − S k), S ← S + u kᵀ, o = S q;</li>
 *   <li><b>delta_net</b>: q, k ← qk_activation(·) (silu, relu, elu+1, identity), v ← silu(v); q, k
 *       L2-normalised as above (qk_norm l2) or divided by their sum (sum), q ×d_k^−½;
 *       β = σ(b_proj x) or 1 (use_beta), ×2 with allow_neg_eigval; S ← S + β(v − S k) kᵀ, o = S q;</li>
 *   <li><b>gla</b>: q, k, v ← silu(·) after a short convolution (else unchanged); q, k ← feature_map;
 *       α = logsigmoid(gk_proj.1(gk_proj.0 x))/16, clamped below at clamp_min; per head
 *       (kv head h / (H/H_kv)) S ← diag(exp α) S + v kᵀ (S[v][k] ← S[v][k]·exp α_k + v_v k_k),
 *       o = S q·d_k^−½;</li>
 *   <li><b>retnet</b>: q, k ← feature_map, then rotary at position p = tokens before this one
 *       (θ_i = p·10000^(−2i/d_k), halves rotated); per head h, γ_h = 1 − 2^(−5−h):
 *       S ← γ_h S + v kᵀ, o = S q·d_k^−½;</li>
 *   <li>per head o ← RMSNorm(o)·w (w when configured), × silu(g_proj x) with an output gate;
 *       the mixer output is o_proj o.</li>
 * </ul>
 * Not thread-safe: one per thread; allocates nothing per token.
 */
final class FlaStepper implements ModelStepper {
    /**
     * Tokens per chunk of the recurrence's chunk form (FLA's chunk size); a block splits into
     * chunks of this many tokens from its start.
     */
    static final int CHUNK = 64;
    /**
     * Rows of a block: the tokens of a call (or the sequences of a bundle) that go through each
     * dense product together, so each weight is read once per this many rows.
     */
    static final int ROWS = 256;
    /**
     * Chunks of at least this many tokens run the recurrence in its chunk form; shorter ones (and
     * single tokens) step it token by token.
     */
    static final int CHUNK_MIN = 8;

    private final FlaLanguageModel m;
    private final FlaConfig c;
    private final FlaArchitecture arch;
    private final int d;
    private final int vocabSize;
    private final int valueDim;
    private final int im;

    private final double[] h;       // [ROWS][hidden] residual stream
    private final double[] xn;      // [ROWS][hidden] normed input of a sub-layer
    private final double[] proj;    // [ROWS][inWidth] input projections
    private final double[] gk;      // [ROWS][kProjRows] GLA decay logits
    private final double[] o;       // [ROWS][valueDim] mixer output before o_proj
    private final double[] mix;     // [ROWS][hidden] sub-layer output
    private final double[] gu;      // [ROWS][2·intermediate] MLP gate | up
    private final double[] row;     // [d_k] one row of S after the decay (float32 state)
    private final double[] decay;
    private final double[] cos;
    private final double[] sin;
    private final double[] gamma;
    private final double qScale;
    private final int chunkMin;
    private final ChunkRecurrence chunk;
    private final double[] betaBuf;   // [ROWS][stateHeads] β per token and state head
    private final double[] gateBuf;   // [ROWS][stateHeads] Gated DeltaNet log gate g
    private final double[] logDecay;  // [ROWS][kProjRows] GLA log decay α
    private final double[] gammaPow;  // [heads][CHUNK + 1] RetNet γ_h^m
    /** Whether the token form's heads run {@link FlaVectorKernels} (same bits as the scalar heads). */
    private final boolean vectorHeads;
    /** Gather map of the vector convolution step (l·(K−1) for lane l), or null: the scalar step. */
    private final int[] convIdx;

    FlaStepper(FlaLanguageModel model) {
        this(model, CHUNK_MIN);
    }

    /** {@code chunkMin}: chunks of at least this many tokens use the chunk form ({@code Integer.MAX_VALUE}: never). */
    FlaStepper(FlaLanguageModel model, int chunkMin) {
        this(model, chunkMin, true);
    }

    /**
     * {@code tokenVectors} false: the token form's heads and the short convolutions run the plain
     * loops even with the Vector API (same bits; to compare the two side by side).
     */
    FlaStepper(FlaLanguageModel model, int chunkMin, boolean tokenVectors) {
        this.chunkMin = Math.max(1, chunkMin);
        boolean vector = tokenVectors && FlaMath.VECTOR;
        this.vectorHeads = vector && FlaVectorKernels.headsApply(model.config.headKDim());
        if (vector && model.config.shortConv() && FlaVectorKernels.convApplies(model.config.convSize())) {
            this.convIdx = new int[8];
            for (int l = 0; l < 8; l++) {
                convIdx[l] = l * (model.config.convSize() - 1);
            }
        } else {
            this.convIdx = null;
        }
        this.m = model;
        this.c = model.config;
        this.arch = c.architecture();
        this.d = c.hiddenSize();
        this.vocabSize = c.vocabSize();
        this.valueDim = c.valueDim();
        this.im = c.intermediateSize();
        int inWidth = model.layers[0].inWidth;
        this.h = new double[ROWS * d];
        this.xn = new double[ROWS * d];
        this.proj = new double[ROWS * inWidth];
        this.gk = arch == FlaArchitecture.GLA ? new double[ROWS * c.kProjRows()] : null;
        this.o = new double[ROWS * valueDim];
        this.mix = new double[ROWS * d];
        this.gu = new double[ROWS * 2 * im];
        this.row = new double[c.headKDim()];
        this.decay = new double[Math.max(c.stateHeads(), c.kProjRows())];
        int half = c.headKDim() / 2;
        this.cos = new double[half];
        this.sin = new double[half];
        this.gamma = new double[c.heads()];
        for (int i = 0; i < gamma.length; i++) {
            gamma[i] = 1.0 - Math.pow(2.0, -5.0 - i);   // RetNet's fixed decay per head
        }
        this.qScale = 1.0 / Math.sqrt(c.headKDim());
        this.chunk = new ChunkRecurrence(CHUNK, c.headKDim(), c.headVDim());
        this.betaBuf = new double[ROWS * c.stateHeads()];
        this.gateBuf = new double[ROWS * c.stateHeads()];
        this.logDecay = arch == FlaArchitecture.GLA ? new double[ROWS * c.kProjRows()] : null;
        this.gammaPow = new double[c.heads() * (CHUNK + 1)];
        for (int i = 0; i < gamma.length; i++) {
            for (int e = 0; e <= CHUNK; e++) {
                gammaPow[i * (CHUNK + 1) + e] = Math.pow(gamma[i], e);
            }
        }
    }

    // ------------------------------------------------------------------ ModelStepper

    @Override
    public void step(ModelState state, double[] x, int xOff, double[] y, int yOff) {
        check(state);
        System.arraycopy(x, xOff, h, 0, d);
        run(state, 1, y, yOff);
    }

    @Override
    public void stepToken(ModelState state, int tokenId, double[] y, int yOff) {
        check(state);
        embed(tokenId, 0);
        run(state, 1, y, yOff);
    }

    @Override
    public void steps(ModelState state, double[] xs, int xOff, int n, double[] ys, int yOff) {
        check(state);
        for (int done = 0; done < n; ) {
            int b = Math.min(ROWS, n - done);
            System.arraycopy(xs, xOff + done * d, h, 0, b * d);
            run(state, b, ys, yOff + done * vocabSize);
            done += b;
        }
    }

    @Override
    public void stepTokens(ModelState state, int[] ids, int off, int n, double[] ys, int yOff) {
        check(state);
        for (int done = 0; done < n; ) {
            int b = Math.min(ROWS, n - done);
            for (int t = 0; t < b; t++) {
                embed(ids[off + done + t], t);
            }
            run(state, b, ys, yOff + done * vocabSize);
            done += b;
        }
    }

    /**
     * One token for each of n sequences: the dense layers (projections, o_proj, MLP, head) run over
     * blocks of up to {@value #ROWS} rows of different sequences as one product per weight
     * matrix, the mixer of each row on its own state at its own position. The rows' sums are
     * those of each token alone, so the bits are the same.
     */
    @Override
    public void stepAcross(ModelState[] states, int[] ids, int n, double[] ys, int yOff, int yStride) {
        for (int i = 0; i < n; i++) {
            check(states[i]);
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("token id " + ids[i] + " outside [0, " + vocabSize + ")");
            }
        }
        for (int done = 0; done < n; ) {
            int b = Math.min(ROWS, n - done);
            for (int t = 0; t < b; t++) {
                embed(ids[done + t], t);
            }
            run(null, states, done, b, ys, yOff + done * yStride, yStride);
            done += b;
        }
    }

    @Override
    public void stepAcross(ModelState[] states, double[] xs, int xStride, int n, double[] ys, int yOff, int yStride) {
        for (int i = 0; i < n; i++) {
            check(states[i]);
        }
        for (int done = 0; done < n; ) {
            int b = Math.min(ROWS, n - done);
            for (int t = 0; t < b; t++) {
                System.arraycopy(xs, (done + t) * xStride, h, t * d, d);
            }
            run(null, states, done, b, ys, yOff + done * yStride, yStride);
            done += b;
        }
    }

    private void check(ModelState state) {
        if (state.length() != c.stateLength() || state.precision() != c.statePrecision()) {
            throw new IllegalArgumentException("state of " + state.length() + " " + state.precision()
                    + " elements does not belong to this model (" + c.stateLength() + " " + c.statePrecision() + ")");
        }
    }

    private void embed(int id, int t) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException("token id " + id + " outside [0, " + vocabSize + ")");
        }
        m.embeddings.row(id, h, t * d);
    }

    // ------------------------------------------------------------------ the model

    /** Runs the n tokens in h[0 .. n·hidden) through every layer; logits to ys[yOff + t·vocab ..]. */
    private void run(ModelState state, int n, double[] ys, int yOff) {
        run(state, null, 0, n, ys, yOff, vocabSize);
    }

    /**
     * The n rows in h[0 .. n·hidden) through every layer, logits to ys[yOff + t·yStride ..]: the
     * consecutive tokens of {@code state} (states null), or one token of each of
     * {@code states[first + t]} (each at its own position).
     */
    private void run(ModelState state, ModelState[] states, int first, int n, double[] ys, int yOff, int yStride) {
        long pos0 = states == null ? state.tokens() : 0;
        double eps = c.normEps();
        int inWidth = m.layers[0].inWidth;
        int layerLength = c.layerStateLength();
        for (int l = 0; l < m.layers.length; l++) {
            FlaLanguageModel.Layer w = m.layers[l];
            for (int t = 0; t < n; t++) {
                FlaMath.rmsNorm(h, t * d, d, w.attnNorm, eps, xn, t * d);
            }
            w.inT.mul(xn, 0, d, n, proj, 0, inWidth);
            if (arch == FlaArchitecture.GLA) {
                int kr = c.kProjRows();
                w.gk1T.mul(proj, w.olr, inWidth, n, gk, 0, kr);
                for (int t = 0; t < n; t++) {
                    for (int j = 0; j < kr; j++) {
                        gk[t * kr + j] += w.gk1Bias[j];
                    }
                }
            }
            int sOff = l * layerLength;
            if (states == null) {
                mix(w, state.doubles(), state.floats(), sOff, n, pos0);   // exactly one of the two is set
            } else {
                // one token of each row's own sequence, at its own position: the token form per row
                for (int t = 0; t < n; t++) {
                    ModelState s = states[first + t];
                    prepareToken(w, s.doubles(), s.floats(), sOff, t, s.tokens());
                    recurToken(w, s.doubles(), s.floats(), sOff, t);
                    finishToken(w, t);
                }
            }
            w.oT.mul(o, 0, valueDim, n, mix, 0, d);
            addInto(h, mix, n * d);
            // GatedMLP (SwiGLU): down(silu(gate m) · up m), m = RMSNorm(h)
            for (int t = 0; t < n; t++) {
                FlaMath.rmsNorm(h, t * d, d, w.mlpNorm, eps, xn, t * d);
            }
            w.gateUpT.mul(xn, 0, d, n, gu, 0, 2 * im);
            for (int t = 0; t < n; t++) {
                int r = t * 2 * im;
                FlaMath.swiglu(gu, r, gu, r + im, im);
            }
            w.downT.mul(gu, 0, 2 * im, n, mix, 0, d);
            addInto(h, mix, n * d);
        }
        for (int t = 0; t < n; t++) {
            FlaMath.rmsNorm(h, t * d, d, m.finalNorm, eps, xn, t * d);
        }
        m.lmHead.mul(xn, 0, d, n, ys, yOff, yStride);
        if (states == null) {
            state.setTokens(pos0 + n);
        } else {
            for (int t = 0; t < n; t++) {
                ModelState s = states[first + t];
                s.setTokens(s.tokens() + 1);
            }
        }
    }

    private static void addInto(double[] a, double[] b, int n) {
        for (int i = 0; i < n; i++) {
            a[i] += b[i];
        }
    }

    /**
     * The mixer of one layer for the n tokens of the block, in chunks of up to {@value #CHUNK}
     * tokens from the block's start: a chunk of at least {@link #chunkMin} tokens in the chunk form
     * ({@link ChunkRecurrence}), a shorter one token by token. The layer's state is at sOff in sd
     * (float64) or sf (float32); outputs to o[t·valueDim ..].
     */
    private void mix(FlaLanguageModel.Layer w, double[] sd, float[] sf, int sOff, int n, long pos0) {
        for (int start = 0; start < n; start += CHUNK) {
            int end = Math.min(n, start + CHUNK);
            // the short convolutions' windows and the recurrent state are separate parts of the
            // state, so preparing every token of the chunk first changes nothing
            for (int t = start; t < end; t++) {
                prepareToken(w, sd, sf, sOff, t, pos0 + t);
            }
            if (end - start < chunkMin) {
                for (int t = start; t < end; t++) {
                    recurToken(w, sd, sf, sOff, t);
                }
            } else {
                chunk(w, sd, sf, sOff, start, end - start);
            }
            for (int t = start; t < end; t++) {
                finishToken(w, t);
            }
        }
    }

    /** The chunk form over the n prepared tokens from row {@code t0} of the block, every head. */
    private void chunk(FlaLanguageModel.Layer w, double[] sd, float[] sf, int sOff, int t0, int n) {
        int ps = w.inWidth;
        int pr = t0 * ps;                 // the chunk's first row of proj
        int dk = c.headKDim();
        int dv = c.headVDim();
        int sh = c.stateHeads();
        int br = t0 * sh;                 // ... of betaBuf and gateBuf
        int orow = t0 * valueDim;         // ... of o
        switch (arch) {
            case GATED_DELTANET: {
                int group = sh / c.heads();
                for (int hv = 0; hv < sh; hv++) {
                    int hk = hv / group;
                    chunk.delta(sd, sf, sOff + hv * dv * dk, n, proj, ps, pr + w.oq + hk * dk, pr + w.ok + hk * dk,
                            pr + w.ov + hv * dv, betaBuf, br + hv, sh, gateBuf, br + hv, sh, o, orow + hv * dv,
                            valueDim);
                }
                break;
            }
            case DELTA_NET:
                for (int hh = 0; hh < sh; hh++) {
                    chunk.delta(sd, sf, sOff + hh * dv * dk, n, proj, ps, pr + w.oq + hh * dk, pr + w.ok + hh * dk,
                            pr + w.ov + hh * dv, betaBuf, br + hh, sh, null, 0, 0, o, orow + hh * dv, valueDim);
                }
                break;
            case GLA: {
                int group = c.heads() / c.kvHeads();
                int kr = c.kProjRows();
                for (int hh = 0; hh < c.heads(); hh++) {
                    int kv = hh / group;
                    chunk.gla(sd, sf, sOff + hh * dv * dk, n, proj, ps, pr + w.oq + hh * dk, pr + w.ok + kv * dk,
                            pr + w.ov + kv * dv, logDecay, t0 * kr + kv * dk, kr, o, orow + hh * dv, valueDim);
                }
                break;
            }
            case RETNET: {
                int group = c.heads() / c.kvHeads();
                for (int hh = 0; hh < c.heads(); hh++) {
                    int kv = hh / group;
                    chunk.retention(sd, sf, sOff + hh * dv * dk, n, proj, ps, pr + w.oq + hh * dk, pr + w.ok + kv * dk,
                            pr + w.ov + kv * dv, gammaPow, hh * (CHUNK + 1), o, orow + hh * dv, valueDim);
                }
                break;
            }
            default:
                throw new AssertionError(arch);
        }
    }

    /**
     * Everything of token t before the recurrence, in place in proj: the short convolution (its
     * window in the state), activations, q/k norms, rotary, the query scale; β (and the log gate)
     * per state head to betaBuf/gateBuf, GLA's log decays to logDecay.
     */
    private void prepareToken(FlaLanguageModel.Layer w, double[] sd, float[] sf, int sOff, int t, long pos) {
        int pr = t * w.inWidth;
        int q0 = pr + w.oq;
        int k0 = pr + w.ok;
        int v0 = pr + w.ov;
        int keyDim = c.keyDim();
        int kRows = c.kProjRows();
        int vRows = c.vProjRows();
        int dk = c.headKDim();
        int sh = c.stateHeads();
        if (c.shortConv()) {
            convStep(w, sd, sf, sOff + c.recurrentStateLength(), q0, keyDim + kRows + vRows);
        }
        switch (arch) {
            case GATED_DELTANET: {
                FlaMath.silu(proj, q0, keyDim + kRows + vRows);
                for (int hh = 0; hh < c.heads(); hh++) {
                    FlaMath.l2Normalize(proj, q0 + hh * dk, dk, qScale);
                    FlaMath.l2Normalize(proj, k0 + hh * dk, dk, 1.0);
                }
                for (int hv = 0; hv < sh; hv++) {
                    double beta = Activation.sigmoid(proj[pr + w.ob + hv]);
                    if (c.allowNegEigval()) {
                        beta *= 2.0;
                    }
                    betaBuf[t * sh + hv] = beta;
                    gateBuf[t * sh + hv] = w.negA[hv] * Activation.softplus(proj[pr + w.oa + hv] + w.dtBias[hv]);
                }
                break;
            }
            case DELTA_NET: {
                Activation act = c.qkActivation();
                act.applyInPlace(proj, q0, keyDim + kRows);
                FlaMath.silu(proj, v0, vRows);
                for (int hh = 0; hh < c.heads(); hh++) {
                    if (c.qkL2Norm()) {
                        FlaMath.l2Normalize(proj, q0 + hh * dk, dk, qScale);
                        FlaMath.l2Normalize(proj, k0 + hh * dk, dk, 1.0);
                    } else {
                        FlaMath.sumNormalize(proj, q0 + hh * dk, dk, qScale);
                        FlaMath.sumNormalize(proj, k0 + hh * dk, dk, 1.0);
                    }
                }
                for (int hh = 0; hh < sh; hh++) {
                    double beta = c.useBeta() ? Activation.sigmoid(proj[pr + w.ob + hh]) : 1.0;
                    if (c.allowNegEigval()) {
                        beta *= 2.0;
                    }
                    betaBuf[t * sh + hh] = beta;
                }
                break;
            }
            case GLA: {
                if (c.shortConv()) {
                    FlaMath.silu(proj, q0, keyDim + kRows + vRows);
                }
                c.featureMap().applyInPlace(proj, q0, keyDim + kRows);
                FlaMath.scale(proj, q0, keyDim, qScale);
                int gr = t * kRows;
                double clamp = c.clampMin();
                for (int j = 0; j < kRows; j++) {
                    double a = Activation.logSigmoid(gk[gr + j]) / FlaConfig.GLA_GATE_LOGIT_NORMALIZER;
                    if (!Double.isNaN(clamp) && a < clamp) {
                        a = clamp;
                    }
                    logDecay[gr + j] = a;
                }
                break;
            }
            case RETNET: {
                c.featureMap().applyInPlace(proj, q0, keyDim + kRows);
                int half = dk / 2;
                for (int i = 0; i < half; i++) {
                    double theta = pos * m.invFreq[i];
                    cos[i] = Math.cos(theta);
                    sin[i] = Math.sin(theta);
                }
                for (int hh = 0; hh < c.heads(); hh++) {
                    FlaMath.rotate(proj, q0 + hh * dk, half, cos, sin);
                }
                for (int hh = 0; hh < c.kvHeads(); hh++) {
                    FlaMath.rotate(proj, k0 + hh * dk, half, cos, sin);
                }
                FlaMath.scale(proj, q0, keyDim, qScale);
                break;
            }
            default:
                throw new AssertionError(arch);
        }
    }

    /**
     * The short convolutions of one token, in place on proj[x0 .. x0 + channels), their windows at
     * winOff in sd or sf: {@link FlaMath#convStep}, or its vector form (same bits).
     */
    private void convStep(FlaLanguageModel.Layer w, double[] sd, float[] sf, int winOff, int x0, int channels) {
        int k = c.convSize();
        if (convIdx != null) {
            if (sd != null) {
                FlaVectorKernels.convStep64(proj, x0, channels, w.convT, k, sd, winOff, convIdx);
            } else {
                FlaVectorKernels.convStep32(proj, x0, channels, w.convT, k, sf, winOff, convIdx);
            }
        } else if (sd != null) {
            FlaMath.convStep(proj, x0, channels, w.conv, k, sd, winOff);
        } else {
            FlaMath.convStep(proj, x0, channels, w.conv, k, sf, winOff);
        }
    }

    /** The recurrence of token t, one rank-1 step per head (FLA's fused_recurrent order). */
    private void recurToken(FlaLanguageModel.Layer w, double[] sd, float[] sf, int sOff, int t) {
        int pr = t * w.inWidth;
        int q0 = pr + w.oq;
        int k0 = pr + w.ok;
        int v0 = pr + w.ov;
        int dk = c.headKDim();
        int dv = c.headVDim();
        int sh = c.stateHeads();
        int oo = t * valueDim;
        switch (arch) {
            case GATED_DELTANET: {
                int group = sh / c.heads();
                for (int hv = 0; hv < sh; hv++) {
                    int hk = hv / group;
                    deltaHead(sd, sf, sOff + hv * dv * dk, dv, dk, Math.exp(gateBuf[t * sh + hv]), betaBuf[t * sh + hv],
                            q0 + hk * dk, k0 + hk * dk, v0 + hv * dv, oo + hv * dv);
                }
                break;
            }
            case DELTA_NET:
                for (int hh = 0; hh < sh; hh++) {
                    deltaHead(sd, sf, sOff + hh * dv * dk, dv, dk, 1.0, betaBuf[t * sh + hh],
                            q0 + hh * dk, k0 + hh * dk, v0 + hh * dv, oo + hh * dv);
                }
                break;
            case GLA: {
                int kRows = c.kProjRows();
                int gr = t * kRows;
                for (int j = 0; j < kRows; j++) {
                    decay[j] = Math.exp(logDecay[gr + j]);
                }
                int group = c.heads() / c.kvHeads();
                for (int hh = 0; hh < c.heads(); hh++) {
                    int kv = hh / group;
                    glaHead(sd, sf, sOff + hh * dv * dk, dv, dk, kv * dk, q0 + hh * dk, k0 + kv * dk, v0 + kv * dv,
                            oo + hh * dv);
                }
                break;
            }
            case RETNET: {
                int group = c.heads() / c.kvHeads();
                for (int hh = 0; hh < c.heads(); hh++) {
                    int kv = hh / group;
                    retHead(sd, sf, sOff + hh * dv * dk, dv, dk, gamma[hh], q0 + hh * dk, k0 + kv * dk, v0 + kv * dv,
                            oo + hh * dv);
                }
                break;
            }
            default:
                throw new AssertionError(arch);
        }
    }

    /** Per-head output norm of token t, optionally gated: o ← RMSNorm(o)·w · silu(g). */
    private void finishToken(FlaLanguageModel.Layer w, int t) {
        int pr = t * w.inWidth;
        int oo = t * valueDim;
        int dv = c.headVDim();
        double eps = c.normEps();
        for (int hv = 0; hv < c.stateHeads(); hv++) {
            int ob = oo + hv * dv;
            FlaMath.rmsNorm(o, ob, dv, w.oNorm, eps, o, ob);
            if (c.outputGate()) {
                FlaMath.gate(o, ob, proj, pr + w.og + hv * dv, dv);
            }
        }
    }

    /**
     * One head of the (gated) delta rule, FLA's order: S ← a·S; u = β(v − S k); S ← S + u kᵀ;
     * o = S q. S is [d_v][d_k] at base in sd or sf (a float32 row is widened into {@code row},
     * updated there and stored rounded); q, k, v in proj, o to this.o. Row sums as
     * {@link FlaMath#dot}.
     */
    private void deltaHead(double[] sd, float[] sf, int base, int dv, int dk, double a, double beta,
                           int q, int k, int v, int out) {
        if (vectorHeads) {
            if (sd != null) {
                FlaVectorKernels.deltaHead64(sd, base, dv, dk, a, beta, proj, q, k, v, o, out, row);
            } else {
                FlaVectorKernels.deltaHead32(sf, base, dv, dk, a, beta, proj, q, k, v, o, out, row);
            }
        } else {
            deltaHeadScalar(sd, sf, base, dv, dk, a, beta, proj, q, k, v, o, out, row);
        }
    }

    /** {@link #deltaHead} in plain Java, on explicit arrays (tests compare it with the vector kernel). */
    static void deltaHeadScalar(double[] sd, float[] sf, int base, int dv, int dk, double a, double beta,
                                double[] p, int q, int k, int v, double[] o, int out, double[] row) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            double[] x;
            int xo;
            if (sd != null) {
                if (a != 1.0) {
                    for (int j = 0; j < dk; j++) {
                        sd[r + j] *= a;
                    }
                }
                x = sd;
                xo = r;
            } else {
                for (int j = 0; j < dk; j++) {
                    row[j] = sf[r + j] * a;
                }
                x = row;
                xo = 0;
            }
            double u = beta * (p[v + i] - FlaMath.dot(x, xo, p, k, dk));
            for (int j = 0; j < dk; j++) {
                x[xo + j] += u * p[k + j];
            }
            o[out + i] = FlaMath.dot(x, xo, p, q, dk);
            if (sf != null) {
                for (int j = 0; j < dk; j++) {
                    sf[r + j] = (float) row[j];
                }
            }
        }
    }

    /**
     * One GLA head (decay ≠ null: S[i][j] ← S[i][j]·decay[dOff + j] + v_i k_j) or one retention
     * head (decay null: S ← γ S + v kᵀ); o_i = Σ_j S[i][j] q_j as {@link FlaMath#dot}. Plain Java
     * on explicit arrays (tests compare it with the vector heads).
     */
    static void decayHead(double[] sd, float[] sf, int base, int dv, int dk, double[] decay, int dOff, double g,
                          double[] p, int q, int k, int v, double[] o, int out, double[] row) {
        for (int i = 0; i < dv; i++) {
            int r = base + i * dk;
            double vi = p[v + i];
            if (sd != null) {
                if (decay != null) {
                    for (int j = 0; j < dk; j++) {
                        sd[r + j] = sd[r + j] * decay[dOff + j] + vi * p[k + j];
                    }
                } else {
                    for (int j = 0; j < dk; j++) {
                        sd[r + j] = g * sd[r + j] + vi * p[k + j];
                    }
                }
                o[out + i] = FlaMath.dot(sd, r, p, q, dk);
            } else {
                if (decay != null) {
                    for (int j = 0; j < dk; j++) {
                        row[j] = sf[r + j] * decay[dOff + j] + vi * p[k + j];
                    }
                } else {
                    for (int j = 0; j < dk; j++) {
                        row[j] = g * sf[r + j] + vi * p[k + j];
                    }
                }
                for (int j = 0; j < dk; j++) {
                    sf[r + j] = (float) row[j];
                }
                o[out + i] = FlaMath.dot(row, 0, p, q, dk);
            }
        }
    }

    private void glaHead(double[] sd, float[] sf, int base, int dv, int dk, int dOff, int q, int k, int v, int out) {
        if (vectorHeads) {
            if (sd != null) {
                FlaVectorKernels.glaHead64(sd, base, dv, dk, decay, dOff, proj, q, k, v, o, out, row);
            } else {
                FlaVectorKernels.glaHead32(sf, base, dv, dk, decay, dOff, proj, q, k, v, o, out, row);
            }
        } else {
            decayHead(sd, sf, base, dv, dk, decay, dOff, 0.0, proj, q, k, v, o, out, row);
        }
    }

    private void retHead(double[] sd, float[] sf, int base, int dv, int dk, double g, int q, int k, int v, int out) {
        if (vectorHeads) {
            if (sd != null) {
                FlaVectorKernels.retHead64(sd, base, dv, dk, g, proj, q, k, v, o, out, row);
            } else {
                FlaVectorKernels.retHead32(sf, base, dv, dk, g, proj, q, k, v, o, out, row);
            }
        } else {
            decayHead(sd, sf, base, dv, dk, null, 0, g, proj, q, k, v, o, out, row);
        }
    }
}
