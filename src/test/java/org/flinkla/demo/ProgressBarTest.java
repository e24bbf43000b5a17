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

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void withoutATerminalItPrintsOnePlainLinePerTenthAndNoCarriageReturns() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), "tokens", 1_000, false);
        for (int i = 0; i <= 1_000; i += 7) {
            bar.update(i);
        }
        bar.update(1_000);
        bar.finish();
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("\r");
        assertThat(out.lines()).hasSize(11);
        assertThat(out.lines().reduce((a, b) -> b).orElseThrow())
                .contains("[##############################]").contains("100%").contains("1,000/1,000");
    }

    @Test
    void onATerminalItRedrawsOneLineAndEndsIt() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), "tokens", 100, true);
        bar.update(50);
        bar.update(100);
        bar.finish();
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("\r").endsWith("\n");
        assertThat(out.split("\n", -1)).hasSize(2);
        assertThat(out).contains(" 50%").contains("100%");
    }

    @Test
    void outputsWrittenButNotCommittedShowAheadOfTheCommittedOnes() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), "tokens", 100, true);
        bar.status("starting");
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("starting");
        bar.restart();
        bar.status("deploying the tasks");
        assertThat(bar.line(System.nanoTime())).contains("deploying the tasks").contains("  0%")
                .contains("0/100").doesNotContain("starting");
        bar.ahead(60);
        bar.update(30);
        String line = bar.line(System.nanoTime());
        // 30% committed = 9 of 30 cells, 60% written = 9 more
        assertThat(line).contains("[#########+++++++++............]").contains(" 30%").contains("(60 processed)")
                .doesNotContain("starting").doesNotContain("deploying");
        bar.finish();
    }
}
