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

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.engine.ModelState;
import org.flinkla.engine.FeatureMapKind;
import org.flinkla.engine.RecurrentLinearAttention;
import org.flinkla.engine.StatePrecision;
import org.flinkla.engine.Variant;
import org.flinkla.flink.SequenceState;
import org.flinkla.flink.SequenceStateSerializer;
import org.flinkla.model.Model;
import org.flinkla.model.ModelFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The state bytes per key are what the formula says, measured on the bytes the operator's state
 * serializer really writes for a state that has absorbed tokens: H·(d_φ·d_v + d_φ)·element size +
 * 35 header bytes (see {@link SequenceStateSerializer}), with d_φ = d_k (elu, relu), m (favor),
 * 1 + d_k + d_k² (taylor); the delta variant keeps no z: H·d_φ·d_v·element size + 35.
 */
class StateBytesPerKeyTest {
    private static final int HEADER = SequenceStateSerializer.HEADER_BYTES;

    @ParameterizedTest(name = "d_model {0}, {1} heads, d_k {2}, d_v {3}, {4}, {5}, {6}")
    @CsvSource({
        "64, 4, 16, 16, elu, float64, linear",
        "64, 4, 16, 16, elu, float32, linear",
        "16, 2, 8, 8, elu, float64, linear",
        "32, 2, 16, 8, relu, float64, decay",
        "32, 4, 8, 8, favor, float64, linear",
        "16, 2, 4, 6, taylor, float32, linear",
        "32, 2, 16, 16, elu, float64, delta",
    })
    void serializedStateHasTheFormulaSize(int dModel, int heads, int dk, int dv, String map, String precision,
            String variant) throws Exception {
        int favorFeatures = 24;
        AttentionConfig cfg = AttentionConfig.builder().dModel(dModel).heads(heads).dKey(dk).dValue(dv).dOut(dModel)
                .featureMap(FeatureMapKind.parse(map)).favorFeatures(favorFeatures)
                .statePrecision(StatePrecision.parse(precision)).variant(Variant.parse(variant))
                .vocab("ACGT").build();
        Model model = ModelFiles.random(cfg, 3L);
        RecurrentLinearAttention layer = new RecurrentLinearAttention(model.config(), model.weights());
        ModelState state = layer.newState();
        double[] y = new double[dModel];
        for (int t = 0; t < 50; t++) {
            layer.stepToken(state, t % 4, y, 0);
        }

        int dPhi = map.equals("favor") ? favorFeatures : map.equals("taylor") ? 1 + dk + dk * dk : dk;
        int element = precision.equals("float64") ? 8 : 4;
        long perHead = (long) dPhi * dv + (variant.equals("delta") ? 0 : dPhi);
        long expected = heads * perHead * element + HEADER;

        SequenceState value = new SequenceState(state, 1234L);
        SequenceStateSerializer serializer = new SequenceStateSerializer();
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        assertThat((long) out.length()).isEqualTo(expected);
        // the reported metric and the engine's own count agree with the bytes written
        assertThat(value.serializedBytes()).isEqualTo(expected);
        assertThat(layer.stateBytes()).isEqualTo(expected - HEADER);
        // and those bytes are the whole state: it comes back equal
        SequenceState back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(value);
        assertThat(back.model().tokens()).isEqualTo(50);
    }

    @org.junit.jupiter.api.Test
    void keyScalingModelStateIsWhatItsDocumentationSays() throws Exception {
        Model m = KeyScaling.model();
        RecurrentLinearAttention layer = new RecurrentLinearAttention(m.config(), m.weights());
        DataOutputSerializer out = new DataOutputSerializer(64);
        new SequenceStateSerializer().serialize(new SequenceState(layer.newState(), 0), out);
        assertThat((long) out.length()).isEqualTo(KeyScaling.STATE_BYTES).isEqualTo(2 * (8 * 8 + 8) * 8 + HEADER);
    }
}
