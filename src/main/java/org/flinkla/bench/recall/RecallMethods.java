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
package org.flinkla.bench.recall;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.Variant;

/**
 * The methods of the recall benchmark, by name. All share one query/key scale: q = k = √d_k·key
 * (unit keys become vectors with unit-variance components, the scale a normalised layer feeds
 * attention). Under the engine's softmax score q·k/√d_k that is an inverse temperature of √d_k on
 * cosines, and favor and taylor approximate exactly that kernel exp(q·k/√d_k).
 * <ul>
 *   <li>{@code softmax}: exact causal softmax, β = √d_k (the same kernel favor/taylor approximate);</li>
 *   <li>{@code softmax-sharp}: exact causal softmax, β = 4·√d_k (the match outweighs every other
 *       key by far: the "picks the winner" reference);</li>
 *   <li>{@code elu}, {@code relu}, {@code taylor}, {@code favor}: variant linear with that feature map
 *       (favor with {@code favorFeatures} features, seed 42);</li>
 *   <li>{@code decay}: elu, RetNet's default γ = 1 − 2⁻⁵ for one head;</li>
 *   <li>{@code delta}: delta rule on relu features, β = 1 for writes and 0 for queries (relu keeps
 *       non-negative orthogonal keys orthogonal, elu does not); {@code delta-elu}: the same on elu.</li>
 * </ul>
 * {@code gated} is not included: without training its gate has nothing to key on; a constant gate
 * bias only turns it into a per-dimension decay.
 */
public final class RecallMethods {
    /** In table/plot order. */
    public static final List<String> ALL = List.of(
            "softmax-sharp", "softmax", "taylor", "favor", "elu", "relu", "decay", "delta", "delta-elu");

    private RecallMethods() {
    }

    /** Inverse temperature of {@code softmax-sharp} in units of √d_k. */
    public static final double SHARP_FACTOR = 4.0;

    /** The canonical (trimmed, lower-case) name, or an IllegalArgumentException listing the known ones. */
    public static String checkName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (!ALL.contains(n)) {
            throw new IllegalArgumentException("unknown recall method '" + name + "' (expected one of "
                    + String.join(", ", ALL) + ")");
        }
        return n;
    }

    public static RecallMethod create(String name, int dk, int dv, int favorFeatures) {
        double s = Math.sqrt(dk);
        switch (checkName(name)) {
            case "softmax-sharp":
                return new SoftmaxRecall("softmax-sharp", dk, dv, SHARP_FACTOR * s);
            case "softmax":
                return new SoftmaxRecall("softmax", dk, dv, s);
            case "elu":
                return linear("elu", dk, dv, FeatureMapKind.ELU, Variant.LINEAR, favorFeatures);
            case "relu":
                return linear("relu", dk, dv, FeatureMapKind.RELU, Variant.LINEAR, favorFeatures);
            case "taylor":
                return linear("taylor", dk, dv, FeatureMapKind.TAYLOR, Variant.LINEAR, favorFeatures);
            case "favor":
                return linear("favor", dk, dv, FeatureMapKind.FAVOR, Variant.LINEAR, favorFeatures);
            case "decay":
                return linear("decay", dk, dv, FeatureMapKind.ELU, Variant.DECAY, favorFeatures);
            case "delta":
                return linear("delta", dk, dv, FeatureMapKind.RELU, Variant.DELTA, favorFeatures);
            case "delta-elu":
                return linear("delta-elu", dk, dv, FeatureMapKind.ELU, Variant.DELTA, favorFeatures);
            default:
                throw new AssertionError(name);
        }
    }

    /** Creates every named method for one (d_k, d_v). */
    public static List<RecallMethod> create(List<String> names, int dk, int dv, int favorFeatures) {
        List<RecallMethod> out = new ArrayList<>();
        for (String n : names) {
            out.add(create(n, dk, dv, favorFeatures));
        }
        return out;
    }

    private static RecallMethod linear(String name, int dk, int dv, FeatureMapKind fm, Variant variant,
                                       int favorFeatures) {
        AttentionConfig c = RecallLayers.config(dk, dv, fm, variant, favorFeatures, AttentionConfig.DEFAULT_FAVOR_SEED);
        return new LinearRecall(name, c, Math.sqrt(dk));
    }
}
