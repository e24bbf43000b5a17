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

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opening inputs named on the command line: a path, {@code -} for stdin, or {@code classpath:NAME}; {@code .gz} is decompressed. */
final class CommandInputs {
    private CommandInputs() {}

    static InputStream open(String name) throws IOException {
        InputStream in;
        if (name.equals("-")) {
            in = System.in;
        } else if (name.startsWith("classpath:")) {
            String res = name.substring("classpath:".length());
            in = CommandInputs.class.getClassLoader().getResourceAsStream(res);
            if (in == null) {
                throw new UsageException("no resource '" + res + "' in the jar");
            }
        } else {
            Path p = Path.of(name);
            if (!Files.isRegularFile(p)) {
                throw new UsageException("input file " + p + " does not exist");
            }
            in = Files.newInputStream(p);
        }
        return name.endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /** The file name without directories and {@code .gz}. */
    static String baseName(String name) {
        String n = name.startsWith("classpath:") ? name.substring("classpath:".length()) : name;
        n = n.substring(n.lastIndexOf('/') + 1);
        return n.endsWith(".gz") ? n.substring(0, n.length() - 3) : n;
    }
}
