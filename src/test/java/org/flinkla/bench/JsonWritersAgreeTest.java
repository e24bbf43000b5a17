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
package org.flinkla.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.JsonWriter;
import org.junit.jupiter.api.Test;

/** The benchmark compares like with like: both writers give the same bytes for its records. */
class JsonWritersAgreeTest {
    @Test
    void jacksonAndTheHandWrittenWriterGiveTheSameBytes() {
        JsonWriter w = new JsonWriter();
        for (String record : new String[] {"single", "chunk64", "lm64"}) {
            for (int seed = 0; seed < 20; seed++) {
                AttentionOutput o = JsonOutputBenchmark.output(record, new Random(seed));
                assertThat(w.toBytes(o)).as(record).isEqualTo(HandWrittenJson.toJsonBytes(o));
            }
        }
        double[] odd = {-0.0, Double.MIN_VALUE, Double.MAX_VALUE, 1e-7, 1e7, 123456789.125, Double.NaN, 2e-323};
        AttentionOutput o = new AttentionOutput("a\tb\"c", 1, 2, odd, new long[] {1, 5, 6, 9}, true);
        assertThat(w.toString(o)).isEqualTo(HandWrittenJson.toJson(o));
    }
}
