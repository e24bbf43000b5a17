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
package org.flinkla.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.flinkla.engine.SequenceModel;

/**
 * Which language-model fields the operator adds to each emitted output, on top of {@code y} (the
 * model's raw output, logits for a language model). None by default.
 *
 * <ul>
 *   <li>{@code probabilities} ({@code p}): softmax of the logits;
 *   <li>{@code log-probabilities} ({@code logp}): natural-log probabilities;
 *   <li>{@code top-K}: the K most likely next tokens with their probabilities;
 *   <li>{@code surprisal}: bits of the token that arrived under the prediction one position
 *       earlier, −log2 p<sub>t−1</sub>(token<sub>t</sub>); none for the first token, after a
 *       reset or a gap. The previous prediction is kept in the key's state.
 * </ul>
 *
 * All of them need a model whose outputs are logits over its token ids
 * ({@link SequenceModel#outputsLogits()}); {@link #check} says so at build time.
 *
 * <pre>{@code
 * EmitFields f = EmitFields.parse("probabilities, top-3, surprisal");
 * EmitFields g = EmitFields.NONE.withSurprisal(true).withTopK(5);
 * }</pre>
 */
@org.apache.flink.annotation.PublicEvolving
public final class EmitFields implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Largest k of {@code top-K} (the binary output format stores k in 16 bits). */
    public static final int MAX_TOP_K = 65_535;

    /** No extra field: outputs carry {@code y} only. */
    public static final EmitFields NONE = new EmitFields(false, false, 0, false);

    private static final String EXPECTED = "probabilities (or p), log-probabilities (or logp), top-K (K >= 1) "
            + "and surprisal";

    private final boolean probabilities;
    private final boolean logProbabilities;
    private final int topK;
    private final boolean surprisal;

    private EmitFields(boolean probabilities, boolean logProbabilities, int topK, boolean surprisal) {
        this.probabilities = probabilities;
        this.logProbabilities = logProbabilities;
        this.topK = topK;
        this.surprisal = surprisal;
    }

    /**
     * Parses a comma-separated list of field names, e.g. {@code "probabilities, top-3"}; blank
     * means none.
     *
     * @throws IllegalArgumentException naming an unknown or repeated field
     */
    public static EmitFields parse(String list) {
        Objects.requireNonNull(list, "emit fields must not be null (use \"\" for none)");
        if (list.isBlank()) {
            return NONE;
        }
        List<String> names = new ArrayList<>();
        for (String s : list.split(",", -1)) {
            if (s.isBlank()) {
                throw new IllegalArgumentException("empty entry in emit fields '" + list + "' (expected a "
                        + "comma-separated list of " + EXPECTED + ")");
            }
            names.add(s);
        }
        return parse(names);
    }

    /** Parses field names one per entry (see {@link #parse(String)}). */
    public static EmitFields parse(List<String> names) {
        EmitFields f = NONE;
        List<String> seen = new ArrayList<>();
        for (String raw : names) {
            String v = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
            String canonical;
            if (v.equals("probabilities") || v.equals("p")) {
                canonical = "probabilities";
                f = f.withProbabilities(true);
            } else if (v.equals("log-probabilities") || v.equals("logp")) {
                canonical = "log-probabilities";
                f = f.withLogProbabilities(true);
            } else if (v.equals("surprisal")) {
                canonical = "surprisal";
                f = f.withSurprisal(true);
            } else if (v.matches("top-[0-9]{1,9}")) {
                canonical = "top";
                int k = Integer.parseInt(v.substring(4));
                if (k < 1 || k > MAX_TOP_K) {
                    throw new IllegalArgumentException("emit field '" + raw.trim() + "': K of top-K must be between 1 "
                            + "and " + MAX_TOP_K + " (and at most the model's vocabulary size)");
                }
                f = f.withTopK(k);
            } else {
                throw new IllegalArgumentException("unknown emit field '" + (raw == null ? "" : raw.trim())
                        + "' (expected " + EXPECTED + ")");
            }
            if (seen.contains(canonical)) {
                throw new IllegalArgumentException("emit field '" + raw.trim() + "' given twice");
            }
            seen.add(canonical);
        }
        return f;
    }

    public EmitFields withProbabilities(boolean on) {
        return new EmitFields(on, logProbabilities, topK, surprisal);
    }

    public EmitFields withLogProbabilities(boolean on) {
        return new EmitFields(probabilities, on, topK, surprisal);
    }

    /** The k most likely next tokens (0: none). */
    public EmitFields withTopK(int k) {
        if (k < 0 || k > MAX_TOP_K) {
            throw new IllegalArgumentException("top-K: K must be between 1 and " + MAX_TOP_K + " (0 for none), got " + k);
        }
        return new EmitFields(probabilities, logProbabilities, k, surprisal);
    }

    public EmitFields withSurprisal(boolean on) {
        return new EmitFields(probabilities, logProbabilities, topK, on);
    }

    public boolean probabilities() { return probabilities; }
    public boolean logProbabilities() { return logProbabilities; }
    /** k of {@code top-K}, 0 when not asked. */
    public int topK() { return topK; }
    public boolean surprisal() { return surprisal; }

    /** True when no field is asked. */
    public boolean isEmpty() {
        return !probabilities && !logProbabilities && topK == 0 && !surprisal;
    }

    /**
     * Checks that {@code model} can give these fields.
     *
     * @throws IllegalArgumentException naming the fields, the model's output width and vocabulary
     *     size, and what to do
     */
    public void check(SequenceModel model) {
        if (isEmpty()) {
            return;
        }
        if (!model.outputsLogits()) {
            throw new IllegalArgumentException("emit fields [" + this + "] need a language model whose outputs are "
                    + "logits over its token ids (output width = vocabulary size), but " + model.architecture()
                    + " from " + model.source() + " has output width " + model.outputWidth() + " and "
                    + (model.vocabSize() == 0 ? "no token ids (it takes vectors only)"
                            : model.vocabSize() + " token ids")
                    + ": drop the emit fields, or use a model with an LM head (d_out = vocabulary size)");
        }
        if (topK > model.vocabSize()) {
            throw new IllegalArgumentException("emit field top-" + topK + " asks for more tokens than the model's "
                    + model.vocabSize() + " token ids: use top-K with K <= " + model.vocabSize());
        }
    }

    /** The canonical comma-separated list ({@code probabilities, log-probabilities, top-3, surprisal}); "" for none. */
    @Override
    public String toString() {
        List<String> s = new ArrayList<>();
        if (probabilities) {
            s.add("probabilities");
        }
        if (logProbabilities) {
            s.add("log-probabilities");
        }
        if (topK > 0) {
            s.add("top-" + topK);
        }
        if (surprisal) {
            s.add("surprisal");
        }
        return String.join(", ", s);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EmitFields)) {
            return false;
        }
        EmitFields f = (EmitFields) o;
        return f.probabilities == probabilities && f.logProbabilities == logProbabilities && f.topK == topK
                && f.surprisal == surprisal;
    }

    @Override
    public int hashCode() {
        return Objects.hash(probabilities, logProbabilities, topK, surprisal);
    }
}
