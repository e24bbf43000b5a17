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
package org.flinkla.engine.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Erf} against the nearest doubles of 50-digit mpmath values
 * ({@code scripts/fixtures/erf_reference.py}): erf and erfc within a few ulp everywhere, GELU
 * likewise except for the rounding of its argument x/√2, which PyTorch shares.
 */
class ErfTest {
    private static List<double[]> reference() throws IOException {
        List<double[]> rows = new ArrayList<>();
        try (InputStream in = ErfTest.class.getResourceAsStream("/fixtures/erf/erf_reference.csv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                double[] row = new double[4];
                for (int i = 0; i < 4; i++) {
                    row[i] = Double.parseDouble(f[i]);
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /** |got − want| in units of the last place of want (ulp of the smallest normal for subnormals). */
    private static double ulps(double got, double want) {
        if (got == want) {
            return 0;
        }
        return Math.abs(got - want) / Math.ulp(Math.max(Math.abs(want), Double.MIN_NORMAL));
    }

    @Test
    void erfAndErfcAreWithinFourUlpOfMpmath() throws IOException {
        List<double[]> ref = reference();
        assertThat(ref).hasSizeGreaterThan(4000);
        double worstErf = 0;
        double worstErfc = 0;
        double worstErfcAt = 0;
        for (double[] r : ref) {
            worstErf = Math.max(worstErf, ulps(Erf.erf(r[0]), r[1]));
            double e = ulps(Erf.erfc(r[0]), r[2]);
            if (e > worstErfc) {
                worstErfc = e;
                worstErfcAt = r[0];
            }
        }
        System.out.printf("erf worst %.2f ulp, erfc worst %.2f ulp (at %s)%n", worstErf, worstErfc, worstErfcAt);
        assertThat(worstErf).as("erf, ulp").isLessThanOrEqualTo(2.0);
        assertThat(worstErfc).as("erfc, ulp (at %s)", worstErfcAt).isLessThanOrEqualTo(4.0);
    }

    @Test
    void geluIsWithinRoundingOfItsArgument() throws IOException {
        double worst = 0;
        double worstAt = 0;
        for (double[] r : reference()) {
            double x = r[0];
            double got = Erf.gelu(x);
            if (Math.abs(r[3]) < 1e-290) {
                assertThat(Math.abs(got)).as("gelu(%s)", x).isLessThan(1e-280);
                continue;
            }
            // for x < 0 the value is x/2·erfc(|z|), z = x/√2, whose relative slope is 2z: the rounding of z
            // (PyTorch's too) costs up to 2z²·2⁻⁵³, so the error is measured in units of 1 + 2z²
            double z = x * Erf.SQRT1_2;
            double rel = Math.abs(got - r[3]) / Math.abs(r[3]) / (x < 0 ? 1 + 2 * z * z : 1);
            if (rel > worst) {
                worst = rel;
                worstAt = x;
            }
        }
        System.out.printf("gelu worst relative %.2e (per 1 + 2z^2 for x < 0) at %s%n", worst, worstAt);
        assertThat(worst).isLessThanOrEqualTo(1e-15);
    }

    @Test
    void specialValues() {
        assertThat(Erf.erf(0.0)).isEqualTo(0.0);
        assertThat(Erf.erf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
        assertThat(Erf.erf(Double.NEGATIVE_INFINITY)).isEqualTo(-1.0);
        assertThat(Erf.erfc(Double.POSITIVE_INFINITY)).isEqualTo(0.0);
        assertThat(Erf.erfc(Double.NEGATIVE_INFINITY)).isEqualTo(2.0);
        assertThat(Erf.erf(Double.NaN)).isNaN();
        assertThat(Erf.erfc(Double.NaN)).isNaN();
        assertThat(Erf.gelu(Double.NaN)).isNaN();
        assertThat(Erf.gelu(0.0)).isEqualTo(0.0);
        assertThat(Erf.gelu(50.0)).isEqualTo(50.0);
        assertThat(Erf.gelu(-50.0)).isEqualTo(-0.0);
    }
}
