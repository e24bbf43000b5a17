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
package org.flinkla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.flinkla.engine.AttentionConfig;
import org.flinkla.model.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A successful {@code replay} on its own local environment (the cluster shuts down when the job
 * ends, unlike the shared cluster of {@link ReplayCommandITCase}) prints its summary and nothing else.
 */
class ReplayQuietITCase {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aSuccessfulReplayPrintsOnlyItsSummary() throws Exception {
        Path model = dir.resolve("m.safetensors");
        ModelFiles.save(ModelFiles.random(AttentionConfig.builder().dModel(8).heads(2).dKey(4).dValue(4).dOut(6)
                .vocab("ACGT").build(), 5L), model);
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"seq\":\"s\",\"pos\":0,\"tokens\":\"ACGT\"}\n{\"seq\":\"t\",\"tokens\":\"GG\"}\n");
        Path out = dir.resolve("out.jsonl");
        PrintStream err0 = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(new String[] {"replay", "--model", model.toString(), "--input", in.toString(),
                    "--output", out.toString()});
        } finally {
            System.setErr(err0);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        assertThat(text.lines()).as(text).containsExactly(
                "replay: 2 lines, 2 records used, 0 skipped, 2 output lines (6 outputs) -> " + out);
        assertThat(Files.readAllLines(out)).hasSize(2);
    }
}
