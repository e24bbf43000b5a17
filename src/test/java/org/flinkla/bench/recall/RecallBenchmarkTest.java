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
                .hasMessageContaining("--dk needs a value");
        assertThatThrownBy(() -> RecallBenchmark.parse(new String[] {"--trials", "2,3"}))
                .hasMessageContaining("--trials takes one value");
        assertThatThrownBy(() -> RecallBenchmark.parse(new String[] {"--task", "sort"}))
                .hasMessageContaining("--task").hasMessageContaining("sort");
        assertThatThrownBy(() -> RecallBenchmark.parse(new String[] {"--speed", "3"}))
                .hasMessageContaining("unknown option --speed");
        RecallBenchmark.Options o = RecallBenchmark.parse(new String[] {"--dk", "8", "--pairs", "1,3", "--trials", "2"});
        assertThat(o.dks()).containsExactly(8);
        assertThat(o.pairs()).containsExactly(1, 3);
        assertThat(o.trials()).isEqualTo(2);
        assertThat(o.task()).isEqualTo(RecallBenchmark.Task.RECALL);
        assertThat(RecallBenchmark.parse(new String[] {"--task", "overwrite", "--methods", " Delta,elu"}).methods())
                .containsExactly("delta", "elu");
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
