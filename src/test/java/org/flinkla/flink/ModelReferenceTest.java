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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.flinkla.engine.SequenceModel;
import org.flinkla.model.Model;
import org.flinkla.model.ModelFileException;
import org.flinkla.model.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelReferenceTest {
    @TempDir
    Path dir;

    @Test
    void fileUrisAndPlainPathsLoadOncePerJvm() throws Exception {
        Model m = ModelFiles.random(TestModels.config(), 3L);
        Path file = dir.resolve("layer.safetensors");
        ModelFiles.save(m, file);
        SequenceModel a = ModelReference.uri(file.toUri().toString(), Map.of()).resolve();
        SequenceModel b = ModelReference.uri(file.toUri().toString(), Map.of()).resolve();
        assertThat(a).isSameAs(b); // one load per JVM and options
        assertThat(a.fingerprint()).isEqualTo(m.fingerprint());
        SequenceModel c = ModelReference.uri(file.toString(), Map.of("eps", "1e-3")).resolve();
        assertThat(c).isNotSameAs(a);
        assertThat(c.fingerprint()).isNotEqualTo(a.fingerprint());
    }

    @Test
    void classpathResourcesLoad() throws Exception {
        Model m = ModelFiles.random(TestModels.config(), 4L);
        Path res = Path.of(ModelReferenceTest.class.getResource("/").toURI()).resolve("models-test");
        Files.createDirectories(res);
        ModelFiles.save(m, res.resolve("seeded.safetensors"));
        SequenceModel loaded = ModelReference.uri("classpath:/models-test/seeded.safetensors", Map.of()).resolve();
        assertThat(loaded.fingerprint()).isEqualTo(m.fingerprint());
        assertThatThrownBy(() -> ModelReference.uri("classpath:/models-test/none.safetensors", Map.of()).resolve())
                .isInstanceOf(ModelFileException.class).hasMessageContaining("none.safetensors");

        // a folder that holds one model.safetensors (no config.json) names that file
        Files.createDirectories(res.resolve("folder"));
        ModelFiles.save(m, res.resolve("folder").resolve("model.safetensors"));
        SequenceModel inFolder = ModelReference.uri("classpath:/models-test/folder", Map.of()).resolve();
        assertThat(inFolder.fingerprint()).isEqualTo(m.fingerprint());
        assertThat(ModelReference.localPath("classpath:/models-test/folder").getFileName().toString())
                .isEqualTo("model.safetensors");
    }

    @Test
    void missingFilesAndEmptyUrisAreClear() {
        assertThatThrownBy(() -> ModelReference.uri(dir.resolve("absent.safetensors").toString(), Map.of()).resolve())
                .isInstanceOf(ModelFileException.class).hasMessageContaining("absent.safetensors");
        assertThatThrownBy(() -> ModelReference.uri(" ", Map.of())).hasMessageContaining("model URI is empty");
    }
}
