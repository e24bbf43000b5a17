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

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The calibration loop returns a plausible peak: at least a scalar FMA per nanosecond, float at least double. */
class FmaPeakTest {
    @Test
    void measuresAPeak() {
        FmaPeak.Result r = FmaPeak.measure(0.2);
        assertThat(r.doubleGflops()).isGreaterThan(1.0);
        assertThat(r.floatGflops()).isGreaterThan(0.8 * r.doubleGflops());
        assertThat(r.kind()).isNotBlank();
    }
}
