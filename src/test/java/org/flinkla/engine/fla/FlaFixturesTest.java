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

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.ModelStepper;
import org.flinkla.engine.SequenceModel;
import org.flinkla.engine.StatePrecision;
import org.flinkla.model.FlaFixtures;
import org.flinkla.model.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every FLA fixture decoded through ModelLoader and the engine against the logits of the
 * independent float64 reference: float64 state within 1e-9 relative (absolute floor 1e-12),
 * float32 state (FLA's) within 1e-4 relative (floor 1e-6).
 */
class FlaFixturesTest {
    static List<FlaFixtures.Case> cases() {
        return FlaFixtures.all();
    }

    private static double[][] decode(SequenceModel m, int[] ids) {
        ModelStepper st = m.newStepper();
        ModelState s = m.newState();
        double[][] out = new double[ids.length][m.outputWidth()];
        for (int t = 0; t < ids.length; t++) {
            st.stepToken(s, ids[t], out[t], 0);
        }
        assertThat(s.tokens()).isEqualTo(ids.length);
        return out;
    }

    private static double worst(double[][] got, double[][] want, double rel, double abs) {
        double w = 0;
        for (int t = 0; t < want.length; t++) {
            w = Math.max(w, FlaFixtures.errorRatio(got[t], want[t], rel, abs));
        }
        return w;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void float64StateMatchesTheReferenceWithin1e9(FlaFixtures.Case c) {
        SequenceModel m = ModelLoader.load(c.dir, Map.of("state_precision", "float64"));
        assertThat(m.statePrecision()).isEqualTo(StatePrecision.FLOAT64);
        assertThat(m.architecture()).startsWith("fla-" + c.modelType + "(");
        assertThat(m.outputsLogits()).isTrue();
        double[][] got = decode(m, c.ids);
        assertThat(worst(got, c.logits, 1e-9, 1e-12)).as(c.name).isLessThanOrEqualTo(1.0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void float32StateMatchesTheReferenceWithin1e4(FlaFixtures.Case c) {
        SequenceModel m = ModelLoader.load(c.dir);
        assertThat(m.statePrecision()).isEqualTo(StatePrecision.FLOAT32);
        double[][] got = decode(m, c.ids);
        assertThat(worst(got, c.logits, 1e-4, 1e-6)).as(c.name).isLessThanOrEqualTo(1.0);
    }

    /** Reports the errors (not asserted beyond the tests above): max relative error per case and precision. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportErrors(FlaFixtures.Case c) {
        for (String p : new String[] {"float64", "float32"}) {
            double[][] got = decode(ModelLoader.load(c.dir, Map.of("state_precision", p)), c.ids);
            double rel = 0;
            for (int t = 0; t < got.length; t++) {
                rel = Math.max(rel, FlaFixtures.maxRelative(got[t], c.logits[t]));
            }
            System.out.printf("FLA fixture %-40s %s max relative error %.3e%n", c.name, p, rel);
        }
    }
}
