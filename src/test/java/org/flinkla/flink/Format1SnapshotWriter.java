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

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.flinkla.records.AttentionOutput;
import org.flinkla.records.TokenRecord;

/**
 * Wrote {@code src/test/resources/savepoints/format1-heap.snapshot}: the operator state of the
 * first release (state serializer format 1, single-layer model {@link TestModels#config()} with
 * weights seed 11), after {@link #FIRST} bases of {@code dna(5, 64)} for key "chr" and 9 bases of
 * {@code dna(6, 9)} for key "other". {@code Format1UpgradeTest} restores it with the current code.
 * Kept so the fixture can be regenerated from a checkout of that release: run its {@code main} with
 * the test classpath ({@code mvn dependency:build-classpath -Dmdep.includeScope=test}).
 */
final class Format1SnapshotWriter {
    static final int FIRST = 40;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/savepoints/format1-heap.snapshot");
        LinearAttentionFunction fn = LinearAttention.builder(TestModels.config(), TestModels.weights(TestModels.config(), 11))
                .build().function();
        try (KeyedOneInputStreamOperatorTestHarness<String, TokenRecord, AttentionOutput> h =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn),
                        LinearAttention.keySelector(), Types.STRING)) {
            h.open();
            String chr = TestModels.dna(5, 64);
            h.processElement(TokenRecord.symbols("chr", 0L, chr.substring(0, FIRST), true), 0L);
            h.processElement(TokenRecord.symbols("other", 100L, TestModels.dna(6, 9), true), 0L);
            OperatorSubtaskState s = h.snapshot(1L, 1L);
            Files.createDirectories(out.getParent());
            OperatorSnapshotUtil.writeStateHandle(s, out.toString());
        }
        System.out.println("wrote " + out);
    }
}
