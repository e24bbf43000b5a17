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

import java.util.Arrays;

/**
 * The fixed-size recurrent state of one sequence: for each head h, S_h (d_φ × d_v, row-major)
 * followed by z_h (d_φ) — z is absent for {@link Variant#DELTA} — stored in one flat array of
 * float64 or float32 (docs/state.md), plus the number of tokens absorbed.
 *
 * <p>The layout is owned by {@link RecurrentLinearAttention}; other code treats the array as opaque
 * bytes (the Flink serializer writes it in bulk, split/resume copies it). How the values relate to
 * the true sums (e.g. stored as running means to stay bounded) is documented on
 * {@link RecurrentLinearAttention}.
 */
public final class ModelState {
    private final double[] doubles;
    private final float[] floats;
    private long tokens;

    ModelState(StatePrecision precision, int length) {
        this.doubles = precision == StatePrecision.FLOAT64 ? new double[length] : null;
        this.floats = precision == StatePrecision.FLOAT32 ? new float[length] : null;
    }

    /** Wraps existing arrays (exactly one non-null) without copying; used by deserializers. */
    public static ModelState wrap(double[] doubles, float[] floats, long tokens) {
        if ((doubles == null) == (floats == null)) {
            throw new IllegalArgumentException("exactly one of doubles/floats must be given");
        }
        ModelState s = new ModelState(doubles, floats);
        s.tokens = tokens;
        return s;
    }

    private ModelState(double[] doubles, float[] floats) {
        this.doubles = doubles;
        this.floats = floats;
    }

    public StatePrecision precision() {
        return doubles != null ? StatePrecision.FLOAT64 : StatePrecision.FLOAT32;
    }

    /** Number of elements in the flat state. */
    public int length() {
        return doubles != null ? doubles.length : floats.length;
    }

    /** Tokens absorbed since the state was created or reset. */
    public long tokens() {
        return tokens;
    }

    public void setTokens(long tokens) {
        this.tokens = tokens;
    }

    /** The float64 values (live, not a copy), or null for a float32 state. */
    public double[] doubles() {
        return doubles;
    }

    /** The float32 values (live, not a copy), or null for a float64 state. */
    public float[] floats() {
        return floats;
    }

    /** Back to the empty state (no tokens). */
    public void reset() {
        tokens = 0;
        if (doubles != null) {
            Arrays.fill(doubles, 0.0);
        } else {
            Arrays.fill(floats, 0f);
        }
    }

    public ModelState copy() {
        return wrap(doubles == null ? null : doubles.clone(), floats == null ? null : floats.clone(), tokens);
    }

    /** Overwrites this state with {@code other}'s values (same precision and length). */
    public void copyFrom(ModelState other) {
        if (other.length() != length() || other.precision() != precision()) {
            throw new IllegalArgumentException("state shape mismatch");
        }
        if (doubles != null) {
            System.arraycopy(other.doubles, 0, doubles, 0, doubles.length);
        } else {
            System.arraycopy(other.floats, 0, floats, 0, floats.length);
        }
        tokens = other.tokens;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ModelState)) {
            return false;
        }
        ModelState s = (ModelState) o;
        return tokens == s.tokens && Arrays.equals(doubles, s.doubles) && Arrays.equals(floats, s.floats);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(tokens) + (doubles != null ? Arrays.hashCode(doubles) : Arrays.hashCode(floats));
    }
}
