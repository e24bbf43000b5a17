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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.flinkla.flink.EmitFields;
import org.flinkla.flink.EmitMode;
import org.flinkla.flink.LinearAttention;
import org.flinkla.flink.Replay;
import org.flinkla.model.Model;
import org.flinkla.flink.ModelReference;
import org.flinkla.model.ModelLoader;
import org.flinkla.records.RecordValidator;

/**
 * {@code replay}: runs the attention operator through Flink (local environment) over a JSON-lines
 * file and writes the outputs as JSON lines (docs/jobs.md).
 *
 * <pre>{@code
 * java -jar target/flink-linear-attention.jar replay --model M.safetensors --input in.jsonl --output out.jsonl
 * }</pre>
 */
final class ReplayCommand {
    private ReplayCommand() {}

    static String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: java -jar target/flink-linear-attention.jar replay --model M.safetensors"
                + " --input in.jsonl --output out.jsonl [options]\n\n");
        sb.append("Runs the linear-attention operator through Flink on a JSON-lines file of records\n"
                + "({\"seq\":\"s\",\"pos\":0,\"tokens\":\"ACGT\"}, ... as on Kafka plus a \"seq\" field) and writes\n"
                + "{\"seq\",\"pos\",\"y\"|\"ys\"} lines: sequences in order of first appearance, each by position.\n"
                + "Unusable lines are reported on stderr (file:line: reason) and skipped.\n\n");
        sb.append("options:\n");
        sb.append("  --model PATH          safetensors model (configuration from its metadata), or a\n"
                + "                        flash-linear-attention model directory (config.json + safetensors)\n");
        sb.append("  --input FILE          JSON-lines input\n");
        sb.append("  --output FILE         JSON-lines output (overwritten)\n");
        sb.append("  --emit MODE           all (default), last (one output per record), every:N\n");
        sb.append("  --emit-fields LIST    language models: add to each output any of probabilities,\n"
                + "                        log-probabilities, top-K, surprisal (comma-separated; see docs/outputs.md)\n");
        sb.append("  --max-tokens N        largest chunk accepted per record (default ")
                .append(RecordValidator.DEFAULT_MAX_TOKENS_PER_RECORD).append(")\n");
        sb.append("  --max-position-gap N  largest gap a record may skip after its sequence's last position")
                .append(" (default ").append(LinearAttention.DEFAULT_MAX_POSITION_GAP).append("; more: bad_pos)\n");
        sb.append("  --max-record-bytes N  longer lines are reported oversize and skipped (default ")
                .append(Replay.DEFAULT_MAX_LINE_BYTES).append(")\n");
        sb.append("  --parallelism N       operator parallelism (default 1)\n");
        sb.append("  --state-backend B     hashmap (default) or rocksdb\n");
        sb.append("model overrides (beat the file's metadata):\n");
        for (String key : ModelLoader.optionKeys()) {
            sb.append("  --").append(key.replace('_', '-')).append(" VALUE\n");
        }
        sb.append("  --help                this text");
        return sb.toString();
    }

    static int run(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(usage());
                return 0;
            }
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException("replay: unexpected argument '" + a + "' (see replay --help)");
            }
            String name;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                name = a.substring(2);
                if (i + 1 >= args.length) {
                    throw new UsageException("replay: --" + name + " needs a value (see replay --help)");
                }
                value = args[++i];
            }
            if (opts.put(name, value) != null) {
                throw new UsageException("replay: --" + name + " given twice");
            }
        }
        Path modelFile = requirePath(opts.remove("model"), "model");
        Path input = requirePath(opts.remove("input"), "input");
        Path output = requirePath(opts.remove("output"), "output");
        if (!Files.isReadable(modelFile)) {
            throw new UsageException("replay: model file " + modelFile + " does not exist or is not readable");
        }
        if (!Files.isReadable(input)) {
            throw new UsageException("replay: input file " + input + " does not exist or is not readable");
        }
        EmitMode emit = EmitMode.ALL;
        EmitFields fields = EmitFields.NONE;
        int maxTokens = RecordValidator.DEFAULT_MAX_TOKENS_PER_RECORD;
        int parallelism = 1;
        long maxGap = LinearAttention.DEFAULT_MAX_POSITION_GAP;
        int maxLineBytes = Replay.DEFAULT_MAX_LINE_BYTES;
        String backend = "hashmap";
        try {
            String v;
            if ((v = opts.remove("emit")) != null) {
                emit = EmitMode.parse(v);
            }
            if ((v = opts.remove("emit-fields")) != null) {
                try {
                    fields = EmitFields.parse(v);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--emit-fields: " + e.getMessage(), e);
                }
            }
            if ((v = opts.remove("max-tokens")) != null) {
                maxTokens = positiveInt(v, "max-tokens");
            }
            if ((v = opts.remove("max-position-gap")) != null) {
                try {
                    maxGap = Long.parseLong(v.trim());
                } catch (NumberFormatException e) {
                    maxGap = -1;
                }
                if (maxGap < 0) {
                    throw new IllegalArgumentException("--max-position-gap must be a whole number >= 0, got '" + v + "'");
                }
            }
            if ((v = opts.remove("max-record-bytes")) != null) {
                maxLineBytes = positiveInt(v, "max-record-bytes");
            }
            if ((v = opts.remove("parallelism")) != null) {
                parallelism = positiveInt(v, "parallelism");
            }
            if ((v = opts.remove("state-backend")) != null) {
                backend = v.trim().toLowerCase(Locale.ROOT);
                if (!backend.equals("hashmap") && !backend.equals("rocksdb")) {
                    throw new IllegalArgumentException("--state-backend must be hashmap or rocksdb, got '" + v + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("replay: " + e.getMessage());
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : opts.entrySet()) {
            String key = e.getKey().replace('-', '_');
            if (!ModelLoader.optionKeys().contains(key)) {
                throw new UsageException("replay: unknown option --" + e.getKey() + " (see replay --help)");
            }
            overrides.put(key, e.getValue());
        }

        // a file or a model directory; ModelFileException names the file and the tensor or key
        ModelReference model = ModelReference.uri(modelFile.toString(), overrides);
        LinearAttention attention;
        org.flinkla.engine.SequenceModel resolved = model.resolve(); // load errors name the file
        try {
            fields.check(resolved);
        } catch (IllegalArgumentException e) {
            throw new UsageException("replay: --emit-fields: " + e.getMessage());
        }
        try {
            attention = LinearAttention.builder(model).emit(emit).emitFields(fields).maxTokensPerRecord(maxTokens)
                    .maxPositionGap(maxGap).build();
        } catch (IllegalArgumentException e) {
            throw new UsageException("replay: " + e.getMessage());
        }
        Replay.Summary s = Replay.run(attention, input, output, System.err, parallelism, backend, maxLineBytes);
        System.err.println("replay: " + s + " -> " + output);
        return 0;
    }

    private static Path requirePath(String v, String name) {
        if (v == null || v.isBlank()) {
            throw new UsageException("replay: --" + name + " is required (see replay --help)");
        }
        return Path.of(v);
    }

    private static int positiveInt(String v, String name) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // message below
        }
        throw new IllegalArgumentException("--" + name + " must be a positive integer, got '" + v + "'");
    }
}
