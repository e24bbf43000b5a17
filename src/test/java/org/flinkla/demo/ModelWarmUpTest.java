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
package org.flinkla.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.flinkla.engine.SequenceModel;
import org.flinkla.flink.EmitFields;
import org.flinkla.flink.EmitMode;
import org.flinkla.flink.SequenceProcessor;
import org.flinkla.records.TokenRecord;
import org.junit.jupiter.api.Test;

class ModelWarmUpTest {
    private static final EmitFields FIELDS = EmitFields.parse(List.of("probabilities", "surprisal"));

    private static SequenceModel gdn() {
        return DemoModel.load("classpath:/models/dna/gdn", Map.of()).model();
    }

    /** The outputs of a fresh processor for one record: what the job's operator would emit. */
    private static double[] outputs(SequenceModel model, String bases) {
        SequenceProcessor p = new SequenceProcessor(model, EmitMode.ALL, FIELDS, 16_384);
        SequenceProcessor.Outcome o = p.process(TokenRecord.symbols("s", 0, bases, true), null);
        assertThat(o.rejectReason).isNull();
        return o.output.ys().clone();
    }

    @Test
    void stepsExactlyTheBasesAskedForInRecordsOfAFastaLine() {
        ModelWarmUp.Result r = ModelWarmUp.run(gdn(), EmitMode.ALL, FIELDS, 16_384, 130);
        assertThat(r.bases()).isEqualTo(130);
        assertThat(r.seconds()).isPositive();
        assertThat(ModelWarmUp.run(gdn(), EmitMode.ALL, FIELDS, 16_384, 0)).isEqualTo(new ModelWarmUp.Result(0, 0));
    }

    @Test
    void leavesTheModelAsItWas() {
        SequenceModel model = gdn();
        String bases = "ACGTTGCAAACCGGTTNACGT".repeat(5);
        double[] before = outputs(model, bases);
        ModelWarmUp.run(model, EmitMode.ALL, FIELDS, 16_384, 600);
        assertThat(outputs(model, bases)).containsExactly(before);
    }

    @Test
    void finishStopsItOnceItsMinimumIsDone() throws Exception {
        ModelWarmUp w = ModelWarmUp.start(gdn(), EmitMode.ALL, FIELDS, 16_384, 120, Long.MAX_VALUE);
        ModelWarmUp.Result r = w.finish();
        assertThat(w.isDone()).isTrue();
        assertThat(r.bases()).isGreaterThanOrEqualTo(120).isLessThan(Long.MAX_VALUE);
        ModelWarmUp off = ModelWarmUp.start(gdn(), EmitMode.ALL, FIELDS, 16_384, 3_000, 0);
        assertThat(off.isDone()).isTrue();
        assertThat(off.finish().bases()).isZero();
    }
}
