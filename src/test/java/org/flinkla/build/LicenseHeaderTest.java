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
package org.flinkla.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every source file of the project carries the Apache-2.0 licence header. */
class LicenseHeaderTest {

    private static final List<String> ROOTS =
            List.of("src/main/java", "src/test/java", "src/jmh/java", "scripts", "flink-jobs");

    @Test
    void everySourceFileHasTheLicenceHeader() throws IOException {
        List<Path> missing;
        try (Stream<Path> files =
                ROOTS.stream().map(Path::of).filter(Files::isDirectory).flatMap(LicenseHeaderTest::walk)) {
            missing =
                    files.filter(LicenseHeaderTest::isSource)
                            .filter(f -> !hasHeader(f))
                            .collect(Collectors.toList());
        }
        assertThat(missing).as("source files without the Apache-2.0 header").isEmpty();
    }

    private static Stream<Path> walk(Path root) {
        try {
            return Files.walk(root).filter(Files::isRegularFile);
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + root, e);
        }
    }

    private static boolean isSource(Path f) {
        String name = f.getFileName().toString();
        return name.endsWith(".java") || name.endsWith(".py") || name.endsWith(".sh")
                || name.endsWith(".sql") || name.endsWith(".yaml");
    }

    private static boolean hasHeader(Path f) {
        try {
            String head = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
            head = head.substring(0, Math.min(head.length(), 1200));
            return head.contains("Copyright 2026 The flink-linear-attention authors")
                    && (head.contains("Licensed under the Apache License, Version 2.0")
                            || head.contains("SPDX-License-Identifier: Apache-2.0"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + f, e);
        }
    }
}
