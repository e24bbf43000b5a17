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
package org.flinkla.bench.recall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class RecallBenchmarkTest {
    @Test
    void defaultGridRunsFromOneToFourDk() {
        assertThat(RecallBenchmark.defaultGrid(16)).containsExactly(1, 2, 4, 8, 12, 16, 24, 32, 48, 64);
        assertThat(RecallBenchmark.defaultGrid(2)).containsExactly(1, 2, 3, 4, 6, 8);
    }

    @Test
    void badOptionsNameWhatIsWrong() {
        assertThatThrownBy(() -> RecallBenchmark.parse(new String[] {"--pairs", "4,0"}))
                .hasMessageContaining("--pairs").hasMessageContaining("positive");
        assertThatThrownBy(() -> RecallBenchmark.parse(new String[] {"--methods", "softmax,blurry"}))
                .hasMessageContaining("blurry");
        assertThatThrownBy(() -> RecallBenchmark.parse(new String[] {"--dk"}))
                .hasMessageContaining("Missing required parameter for option '--dk'");
        assertThatThrownBy(() -> RecallBenchmark.parse(new String[] {"--trials", "2,3"}))
                .hasMessageContaining("'--trials'").hasMessageContaining("takes one value, got '2,3'");
        assertThatThrownBy(() -> RecallBenchmark.parse(new String[] {"--task", "sort"}))
                .hasMessageContaining("--task").hasMessageContaining("sort");
        assertThatThrownBy(() -> RecallBenchmark.parse(new String[] {"--speed", "3"}))
                .hasMessage("Unknown option: '--speed'. Did you mean: --seed?");
        assertThatThrownBy(() -> RecallBenchmark.parse(new String[] {"--methods", "elu,deltaa"}))
                .hasMessageContaining("'--methods'").hasMessageContaining("Did you mean: delta?");
        assertThatThrownBy(() -> RecallBenchmark.parse(new String[] {"--seed", "x"}))
                .hasMessageContaining("'--seed'").hasMessageContaining("'x'");
        RecallBenchmark.Options o = RecallBenchmark.parse(new String[] {"--dk", "8", "--pairs", "1,3", "--trials", "2"});
        assertThat(o.dks()).containsExactly(8);
        assertThat(o.pairs()).containsExactly(1, 3);
        assertThat(o.trials()).isEqualTo(2);
        assertThat(o.task()).isEqualTo(RecallBenchmark.Task.RECALL);
        assertThat(RecallBenchmark.parse(new String[] {"--task", "overwrite", "--methods", " Delta,elu"}).methods())
                .containsExactly("delta", "elu");
        RecallBenchmark.Options d = RecallBenchmark.parse(new String[0]);
        assertThat(d.dks()).containsExactly(16, 32);
        assertThat(d.pairs()).isNull();
        assertThat(d.trials()).isEqualTo(8);
        assertThat(d.seed()).isEqualTo(1L);
        assertThat(d.favorFeatures()).isEqualTo(256);
        assertThat(d.methods()).isEqualTo(RecallMethods.ALL);
        assertThat(d.out()).isNull();
        assertThat(d.task()).isEqualTo(RecallBenchmark.Task.RECALL);
    }

    @Test
    void helpListsTheOptionsWithTheirDefaults() {
        java.io.PrintStream saved = System.out;
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(b, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertThat(RecallBenchmark.parse(new String[] {"--help"})).isNull();
        } finally {
            System.setOut(saved);
        }
        String help = b.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(help).startsWith("usage: " + RecallBenchmark.RUN + " [options]");
        for (String o : new String[] {"--task=TASK", "--dk=N[,N...]", "--pairs=P[,P...]", "--trials=N", "--seed=S",
            "--favor-features=N", "--methods=M[,M...]", "--out=DIR", "-h, --help"}) {
            assertThat(help).as(o).contains(o);
        }
        assertThat(help).contains("default: 8").contains("default: 256").contains(String.join(", ", RecallMethods.ALL)
                .substring(0, 30));
    }

    @Test
    void sameSeedSameNumbersAndCellsIndependentOfTheGrid() {
        List<String> ms = List.of("elu", "delta");
        List<RecallResult> a = RecallBenchmark.run(RecallBenchmark.Task.RECALL, 8, 8, new int[] {3, 6}, 2, 5L, 16, ms);
        List<RecallResult> b = RecallBenchmark.run(RecallBenchmark.Task.RECALL, 8, 8, new int[] {6}, 2, 5L, 16, ms);
        assertThat(a.subList(2, 4)).isEqualTo(b);
    }

    @Test
    void csvAndSvgCarryEveryCell() throws Exception {
        List<String> ms = List.of("softmax", "elu", "delta");
        List<RecallResult> rs = RecallBenchmark.run(RecallBenchmark.Task.RECALL, 8, 8, new int[] {1, 4, 8}, 1, 3L, 16, ms);
        String csv = RecallBenchmark.csv(rs);
        assertThat(csv.lines()).hasSize(1 + 3 * 3);
        assertThat(csv.lines().findFirst()).hasValue(RecallResult.CSV_HEADER);
        String svg = RecallPlot.svg(RecallBenchmark.Task.RECALL, rs, ms, 1);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        // one line per method in each of the two panels (accuracy, error) of the single d_k
        assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2 * ms.size());
        String table = RecallBenchmark.markdownTable(rs, ms, true);
        assertThat(table.lines()).hasSize(2 + 3);
    }
}
