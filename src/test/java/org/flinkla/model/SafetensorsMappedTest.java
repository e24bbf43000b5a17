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
package org.flinkla.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files over 2 GiB are memory-mapped; the mapped reader is checked here on small files. */
class SafetensorsMappedTest {
    @TempDir
    Path dir;

    @Test
    void mappedReadingDecodesWhatReadingIntoMemoryDecodes() throws Exception {
        for (Dtype dtype : new Dtype[] {Dtype.F64, Dtype.F32, Dtype.F16, Dtype.BF16}) {
            Path f = dir.resolve("m-" + dtype + ".safetensors");
            Map<String, Tensor> tensors = Map.of(
                    "a.weight", new Tensor(new int[] {2, 3}, new double[] {1, -2.5, 3.25, 0.5, 1e-3, -7}),
                    "b", new Tensor(new int[] {4}, new double[] {0.125, 2, 4, -8}));
            Safetensors.write(f, tensors, Map.of("heads", "2"), dtype);
            Safetensors heap = Safetensors.read(f);
            Safetensors mapped = Safetensors.readMapped(f);
            assertThat(mapped.metadata()).isEqualTo(heap.metadata());
            assertThat(mapped.names()).isEqualTo(heap.names());
            for (String n : heap.names()) {
                assertThat(mapped.tensor(n).data()).containsExactly(heap.tensor(n).data());
                assertThat(mapped.shape(n)).containsExactly(heap.shape(n));
            }
        }
    }

    @Test
    void mappedReadingChecksTheHeaderAndTheTiling() throws Exception {
        Path f = dir.resolve("ok.safetensors");
        Safetensors.write(f, Map.of("w", new Tensor(new int[] {2}, new double[] {1, 2})), Map.of(), Dtype.F32);
        byte[] b = Files.readAllBytes(f);
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(b, b.length - 4));
        assertThatThrownBy(() -> Safetensors.readMapped(truncated)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("truncated.safetensors").hasMessageContaining("w");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Safetensors.readMapped(tiny)).hasMessageContaining("too short");
    }
}
