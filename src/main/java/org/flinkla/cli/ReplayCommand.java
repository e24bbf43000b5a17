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
import java.util.Map;
import java.util.concurrent.Callable;
import org.flinkla.engine.SequenceModel;
import org.flinkla.flink.EmitFields;
import org.flinkla.flink.EmitMode;
import org.flinkla.flink.LinearAttention;
import org.flinkla.flink.ModelReference;
import org.flinkla.flink.Replay;
import org.flinkla.model.ModelLoader;
import org.flinkla.records.RecordValidator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code replay}: runs the attention operator through Flink (local environment) over a JSON-lines
 * file and writes the outputs as JSON lines (docs/operator.md, "Offline replay").
 *
 * <pre>{@code
 * java -jar target/flink-linear-attention.jar replay --model M.safetensors --input in.jsonl --output out.jsonl
 * }</pre>
 */
@Command(name = "replay", header = "Run the attention operator over a JSON-lines file.",
        synopsisHeading = "%nusage: ",
        customSynopsis = {Cli.JAR + " replay --model M.safetensors --input in.jsonl",
            "        --output out.jsonl [options]"},
        descriptionHeading = "%n", parameterListHeading = "%narguments:%n", optionListHeading = "%noptions:%n",
        footerHeading = "%n", sortOptions = false,
        description = {
            "Runs the linear-attention operator through Flink on a JSON-lines file of records"
                    + " ({\"seq\":\"s\",\"pos\":0,\"tokens\":\"ACGT\"}, ... as on Kafka plus a \"seq\""
                    + " field) and writes {\"seq\",\"pos\",\"y\"|\"ys\"} lines: sequences in order of"
                    + " first appearance, each by position. Unusable lines are reported on stderr"
                    + " (file:line: reason) and skipped."},
        footer = "The replay's semantics: docs/operator.md (\"Offline replay\").")
final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = {
        "safetensors model (configuration from its metadata), or a flash-linear-attention model directory"
                + " (config.json + safetensors)"})
    Path modelFile;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSON-lines input")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "JSON-lines output"
            + " (overwritten)")
    Path output;

    @Option(names = "--emit", paramLabel = "MODE", converter = EmitConverter.class,
            description = "all (default), last (one output per record), every:N")
    EmitMode emit = EmitMode.ALL;

    @Option(names = "--emit-fields", paramLabel = "LIST", converter = EmitFieldsConverter.class, description = {
        "language models: add to each output any of probabilities, log-probabilities, top-K, surprisal"
                + " (comma-separated; see docs/outputs.md)"})
    EmitFields fields = EmitFields.NONE;

    @Option(names = "--max-tokens", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "largest chunk accepted per record (default ${DEFAULT-VALUE})")
    int maxTokens = RecordValidator.DEFAULT_MAX_TOKENS_PER_RECORD;

    @Option(names = "--max-position-gap", paramLabel = "N", converter = Cli.NonNegativeLong.class,
            description = "largest gap a record may skip after its sequence's last position (default"
                    + " ${DEFAULT-VALUE}; more: bad_pos)")
    long maxGap = LinearAttention.DEFAULT_MAX_POSITION_GAP;

    @Option(names = "--max-record-bytes", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "longer lines are reported oversize and skipped (default ${DEFAULT-VALUE})")
    int maxLineBytes = Replay.DEFAULT_MAX_LINE_BYTES;

    @Option(names = "--parallelism", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "operator parallelism (default ${DEFAULT-VALUE})")
    int parallelism = 1;

    @Option(names = "--state-backend", paramLabel = "B", converter = Cli.Lower.class,
            description = "hashmap (default) or rocksdb")
    String backend = "hashmap";

    @Mixin
    Cli.Common common;

    private ReplayCommand() {}

    /** The command's parser: the options above and one {@code --KEY VALUE} per model option key (ModelLoader). */
    static CommandLine commandLine() {
        CommandLine cl = Cli.commandLine(new ReplayCommand());
        ArgGroupSpec.Builder overrides = ArgGroupSpec.builder().exclusive(false).multiplicity("0..1")
                .headingKey(null).heading("%nmodel overrides (beat the model file's metadata; docs/models.md):%n");
        for (String key : ModelLoader.optionKeys()) {
            overrides.addArg(OptionSpec.builder("--" + key.replace('_', '-')).paramLabel("VALUE").type(String.class)
                    .description("the model's " + key).build());
        }
        cl.getCommandSpec().addArgGroup(overrides.build());
        return cl;
    }

    static String usage() {
        return commandLine().getUsageMessage();
    }

    static int run(String[] args) throws Exception {
        return Cli.run(commandLine(), args);
    }

    static final class EmitConverter implements ITypeConverter<EmitMode> {
        @Override
        public EmitMode convert(String v) {
            try {
                return EmitMode.parse(v);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class EmitFieldsConverter implements ITypeConverter<EmitFields> {
        @Override
        public EmitFields convert(String v) {
            try {
                return EmitFields.parse(v);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(modelFile)) {
            throw Cli.usageError(spec.commandLine(), "model file " + modelFile + " does not exist or is"
                    + " not readable");
        }
        if (!Files.isReadable(input)) {
            throw Cli.usageError(spec.commandLine(), "input file " + input + " does not exist or is not"
                    + " readable");
        }
        Cli.choice(spec, "--state-backend", backend, "hashmap", "rocksdb");
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String key : ModelLoader.optionKeys()) {
            String v = spec.findOption("--" + key.replace('_', '-')).getValue();
            if (v != null) {
                overrides.put(key, v);
            }
        }

        // a file or a model directory; ModelFileException names the file and the tensor or key
        ModelReference model = ModelReference.uri(modelFile.toString(), overrides);
        SequenceModel resolved = model.resolve(); // load errors name the file
        Cli.option(spec, "--emit-fields", () -> {
            fields.check(resolved);
            return null;
        });
        LinearAttention attention;
        try {
            attention = LinearAttention.builder(model).emit(emit).emitFields(fields).maxTokensPerRecord(maxTokens)
                    .maxPositionGap(maxGap).build();
        } catch (IllegalArgumentException e) {
            throw Cli.usageError(spec.commandLine(), e.getMessage());
        }
        Replay.Summary s = Replay.run(attention, input, output, System.err, parallelism, backend, maxLineBytes);
        System.err.println("replay: " + s + " -> " + output);
        return 0;
    }
}
