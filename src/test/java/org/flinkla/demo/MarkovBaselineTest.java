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
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MarkovBaselineTest {
    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    @Test
    void orderZeroIsTheKtEstimatorOfTheSymbolCounts() {
        MarkovBaseline m = new MarkovBaseline(0, "AC");
        assertThat(m.accept('A')).isNaN(); // base 1 is not scored
        // second symbol A: counts A=1, total 1 → (1 + ½) / (1 + 1)
        assertThat(m.accept('A')).isCloseTo(-log2(1.5 / 2.0), within(1e-15));
        // third symbol C: counts A=2, C=0 → (0 + ½) / (2 + 1)
        assertThat(m.accept('C')).isCloseTo(-log2(0.5 / 3.0), within(1e-15));
        assertThat(m.meanBits()).isCloseTo((-log2(0.75) - log2(1.0 / 6)) / 2, within(1e-15));
    }

    @Test
    void contextsAreTheLastKSymbolsAndEarlyPositionsGetUniform() {
        MarkovBaseline m = new MarkovBaseline(2, "ACGT");
        m.accept('A');
        assertThat(m.accept('C')).isCloseTo(2.0, within(1e-15)); // fewer than k bases before it: 1/A
        assertThat(m.accept('G')).isCloseTo(2.0, within(1e-15)); // context AC never seen: ½ / (4·½) = ¼
        m.accept('A');
        m.accept('C');
        // context AC seen once before, followed by G: (1 + ½) / (1 + 2)
        assertThat(m.accept('G')).isCloseTo(-log2(1.5 / 3.0), within(1e-15));
        // context CG seen once, followed by A; now T: (0 + ½) / (1 + 2)
        assertThat(m.accept('T')).isCloseTo(-log2(0.5 / 3.0), within(1e-15));
    }

    @Test
    void aRepetitiveSequenceCostsFarLessThanTwoBitsPerBase() {
        MarkovBaseline m = new MarkovBaseline(3, "ACGT");
        for (int i = 0; i < 4000; i++) {
            m.accept("ACGT".charAt(i % 4));
        }
        assertThat(m.meanBits()).isLessThan(0.05);
        assertThat(m.scored()).isEqualTo(3999);
    }

    @Test
    void theDemoBaselineGivesTheModelCardsFigureOnTheFirst2000Bases() throws Exception {
        // The model cards (src/main/resources/models/dna/*/MODEL_CARD.md) give 2.1123 bits/base for
        // the adaptive order-3 model over ACGTN on the first 2,000 bases of the chr1 fragment,
        // computed by the training script in Python: the same estimator, written independently.
        MarkovBaseline m = new MarkovBaseline(MarkovBaseline.DEFAULT_ORDER, MarkovBaseline.DEFAULT_ALPHABET);
        Chromosome.Slice bases = Chromosome.shipped().slice(2000);
        for (long i = 0; i < bases.length(); i++) {
            m.accept(bases.baseAt(i));
        }
        assertThat(m.scored()).isEqualTo(1999);
        assertThat(m.meanBits()).isCloseTo(2.1123, within(5e-5));
    }
}
