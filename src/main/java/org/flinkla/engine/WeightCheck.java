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
 * Checks an {@link AttentionWeights} against an {@link AttentionConfig}: every tensor the variant
 * needs is present with the right number of values, none that it cannot use is given, and all
 * values are finite. Each failure names the tensor (docs/models.md names) and the expected shape.
 */
final class WeightCheck {
    private WeightCheck() {
    }

    static void check(AttentionConfig c, AttentionWeights w) {
        int dm = c.dModel();
        int hk = c.heads() * c.dKey();
        int hv = c.heads() * c.dValue();
        int h = c.heads();
        tensor("query_projection.weight", w.queryWeight, true, hk, dm, "H·d_k", "d_model");
        tensor("query_projection.bias", w.queryBias, false, hk, 1, "H·d_k", null);
        tensor("key_projection.weight", w.keyWeight, true, hk, dm, "H·d_k", "d_model");
        tensor("key_projection.bias", w.keyBias, false, hk, 1, "H·d_k", null);
        tensor("value_projection.weight", w.valueWeight, true, hv, dm, "H·d_v", "d_model");
        tensor("value_projection.bias", w.valueBias, false, hv, 1, "H·d_v", null);
        tensor("out_projection.weight", w.outWeight, true, c.dOut(), hv, "d_out", "H·d_v");
        tensor("out_projection.bias", w.outBias, false, c.dOut(), 1, "d_out", null);

        boolean gated = c.variant() == Variant.GATED;
        boolean delta = c.variant() == Variant.DELTA;
        variantTensor("gate_projection.weight", w.gateWeight, gated, "gated");
        variantTensor("gate_projection.bias", w.gateBias, gated, "gated");
        variantTensor("beta_projection.weight", w.betaWeight, delta, "delta");
        variantTensor("beta_projection.bias", w.betaBias, delta, "delta");
        variantTensor("alpha_projection.weight", w.alphaWeight, delta, "delta");
        variantTensor("alpha_projection.bias", w.alphaBias, delta, "delta");
        if (gated) {
            tensor("gate_projection.weight", w.gateWeight, true, hk, dm, "H·d_k", "d_model");
            tensor("gate_projection.bias", w.gateBias, false, hk, 1, "H·d_k", null);
        }
        if (delta) {
            tensor("beta_projection.weight", w.betaWeight, true, h, dm, "H", "d_model");
            tensor("beta_projection.bias", w.betaBias, false, h, 1, "H", null);
            tensor("alpha_projection.weight", w.alphaWeight, false, h, dm, "H", "d_model");
            tensor("alpha_projection.bias", w.alphaBias, false, h, 1, "H", null);
            if (w.alphaWeight == null && w.alphaBias != null) {
                throw new IllegalArgumentException(
                        "alpha_projection.bias is given without alpha_projection.weight");
            }
        }

        if (c.vocab() != null) {
            if (w.embedding == null) {
                throw new IllegalArgumentException("embedding.weight is missing: the model has a vocab ("
                        + c.vocab().length() + " symbols) and needs [vocab, d_model] = ["
                        + c.vocab().length() + ", " + dm + "]");
            }
            tensor("embedding.weight", w.embedding, true, c.vocab().length(), dm, "vocab", "d_model");
        } else if (w.embedding != null) {
            if (w.embedding.length == 0 || w.embedding.length % dm != 0) {
                throw new IllegalArgumentException("embedding.weight has " + w.embedding.length
                        + " values, not a positive multiple of d_model = " + dm);
            }
            finite("embedding.weight", w.embedding);
        }
    }

    private static void variantTensor(String name, double[] a, boolean allowed, String variant) {
        if (a != null && !allowed) {
            throw new IllegalArgumentException(name + " is only used by variant " + variant);
        }
    }

    private static void tensor(String name, double[] a, boolean required, int rows, int cols,
                               String rowName, String colName) {
        String shape = colName == null
                ? "[" + rowName + "] = [" + rows + "]"
                : "[" + rowName + ", " + colName + "] = [" + rows + ", " + cols + "]";
        if (a == null) {
            if (required) {
                throw new IllegalArgumentException(name + " is missing (expected " + shape + ")");
            }
            return;
        }
        if (a.length != (long) rows * cols) {
            throw new IllegalArgumentException(name + " has " + a.length + " values, expected " + shape
                    + " = " + ((long) rows * cols) + " values");
        }
        finite(name, a);
    }

    private static void finite(String name, double[] a) {
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                throw new IllegalArgumentException(name + " has a non-finite value " + a[i] + " at index " + i);
            }
        }
    }
}
