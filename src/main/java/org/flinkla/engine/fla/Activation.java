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

/**
 * Elementwise functions FLA applies to queries and keys (DeltaNet's {@code qk_activation}, the
 * {@code feature_map} of GLA and RetNet). Each is the formula of the FLA (or transformers)
 * function the configuration names, evaluated in float64.
 */
public enum Activation {
    /** x. */
    IDENTITY,
    /** x·σ(x) (SiLU, "swish"). */
    SILU,
    /** max(0, x). */
    RELU,
    /** DeltaNet's elu_p1: ELU(x) + 1 = x + 1 for x &gt; 0, exp(x) otherwise. */
    ELU_P1,
    /** σ(x) = 1 / (1 + exp(−x)). */
    SIGMOID,
    /** log σ(x) = min(0, x) − log(1 + exp(−|x|)). */
    LOGSIGMOID,
    /** max(0, x)². */
    SQRELU,
    /** FLA's gelu (tanh form with its rounded constant): 0.5·x·(1 + tanh(0.79788456·x·(1 + 0.044715·x²))). */
    GELU_TANH,
    /** tanh(x). */
    TANH;

    /** The function at {@code x}. */
    public double apply(double x) {
        switch (this) {
            case IDENTITY:
                return x;
            case SILU:
                return silu(x);
            case RELU:
                return x > 0 ? x : 0.0;
            case ELU_P1:
                return x > 0 ? x + 1.0 : Math.exp(x);
            case SIGMOID:
                return sigmoid(x);
            case LOGSIGMOID:
                return logSigmoid(x);
            case SQRELU:
                return x > 0 ? x * x : 0.0;
            case GELU_TANH:
                return x * 0.5 * (1.0 + Math.tanh(0.79788456 * x * (1.0 + 0.044715 * x * x)));
            case TANH:
                return Math.tanh(x);
            default:
                throw new AssertionError(this);
        }
    }

    /** Applies the function to {@code a[off .. off + n)} in place. */
    void applyInPlace(double[] a, int off, int n) {
        if (this == IDENTITY) {
            return;
        }
        if (this == SILU) {
            FlaMath.silu(a, off, n);   // the vector kernel when enabled: the same bits as apply
            return;
        }
        for (int i = off; i < off + n; i++) {
            a[i] = apply(a[i]);
        }
    }

    /** σ(x) = 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) below (neither overflows), e^x by {@link Exp#exp}. */
    static double sigmoid(double x) {
        return Exp.sigmoid(x);
    }

    /** x·σ(x). */
    static double silu(double x) {
        return Exp.silu(x);
    }

    /** log σ(x) = min(0, x) − log1p(exp(−|x|)). */
    static double logSigmoid(double x) {
        return Math.min(0.0, x) - Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** softplus as FLA's gate kernel computes it: x above 20, else log(1 + exp(x)). */
    static double softplus(double x) {
        return x > 20.0 ? x : Math.log1p(Math.exp(x));
    }
}
