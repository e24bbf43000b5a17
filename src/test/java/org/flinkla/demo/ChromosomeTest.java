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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChromosomeTest {

    @TempDir
    Path dir;

    @Test
    void shippedFragmentIsVerifiedAndParsed() throws IOException {
        Chromosome chr = Chromosome.shipped();
        assertThat(chr.name()).isEqualTo("humanchr1_frag");
        assertThat(chr.length()).isEqualTo(330_000);
        assertThat(chr.sha256()).isEqualTo(Chromosome.SHIPPED_SHA256);
        // the first line of dna_target.fa
        assertThat(chr.slice(60).substring(0, 60))
                .isEqualTo("CCAAAAATACGAAAAAGTAGCCAGGCATAATGGCACACATGTGTGGTCCCGCTGCTTGGG");
        int[] counts = new int[128];
        for (int i = 0; i < chr.length(); i++) {
            counts[chr.baseAt(i)]++;
        }
        assertThat(counts['A'] + counts['C'] + counts['G'] + counts['T']).isEqualTo(330_000);
    }

    @Test
    void aChangedBaseFailsTheChecksumNamingTheFile() throws IOException {
        byte[] text = shippedText();
        text[text.length / 2] = (byte) (text[text.length / 2] == 'A' ? 'C' : 'A');
        Path file = dir.resolve("humanchr1_frag.fa.gz");
        writeGzip(file, text);

        assertThatThrownBy(() -> Chromosome.read(file, Chromosome.SHIPPED_SHA256))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("sha256")
                .hasMessageContaining(Chromosome.SHIPPED_SHA256);
    }

    @Test
    void aDamagedGzipFileIsReportedByName() throws IOException {
        byte[] gz = Files.readAllBytes(copyShipped());
        for (int i = 100; i < 400; i++) {
            gz[i] ^= 0x5a;
        }
        Path file = dir.resolve("damaged.fa.gz");
        Files.write(file, gz);

        assertThatThrownBy(() -> Chromosome.read(file, Chromosome.SHIPPED_SHA256))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void anUncorruptedCopyReadsTheSameBases() throws IOException {
        Chromosome copy = Chromosome.read(copyShipped(), Chromosome.SHIPPED_SHA256);
        Chromosome shipped = Chromosome.shipped();
        assertThat(copy.slice(330_000).substring(0, 330_000)).isEqualTo(shipped.slice(330_000).substring(0, 330_000));
    }

    @Test
    void aForeignSymbolIsReportedWithLineAndColumn() throws IOException {
        Path file = dir.resolve("bad.fa");
        Files.writeString(file, ">seq1 test\nACGTACGT\nACGNACGT\n");
        assertThatThrownBy(() -> Chromosome.read(file, null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("line 3 column 4")
                .hasMessageContaining("'N'");
    }

    @Test
    void plainFastaWithoutChecksumIsReadLowerCaseIncluded() throws IOException {
        Path file = dir.resolve("small.fa");
        Files.writeString(file, ">seq1 test\r\nACGTacgt\r\nGG\r\n");
        Chromosome chr = Chromosome.read(file, null);
        assertThat(chr.name()).isEqualTo("seq1");
        assertThat(chr.slice(10).substring(0, 10)).isEqualTo("ACGTACGTGG");
    }

    @Test
    void longerSlicesRepeatTheRecordAndSaySo() throws IOException {
        Chromosome chr = Chromosome.shipped();
        Chromosome.Slice s = chr.slice(500_000);
        assertThat(s.repeated()).isTrue();
        assertThat(s.baseAt(330_000)).isEqualTo(chr.baseAt(0));
        assertThat(s.baseAt(499_999)).isEqualTo(chr.baseAt(169_999));
        assertThat(s.describe()).contains("repeated").contains("1.52");
        assertThat(chr.slice(100_000).repeated()).isFalse();
        assertThat(chr.slice(100_000).describe()).doesNotContain("repeated");
    }

    private byte[] shippedText() throws IOException {
        try (InputStream in = new GZIPInputStream(Chromosome.class.getResourceAsStream(Chromosome.SHIPPED_RESOURCE))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    private Path copyShipped() throws IOException {
        Path file = dir.resolve("copy.fa.gz");
        try (InputStream in = Chromosome.class.getResourceAsStream(Chromosome.SHIPPED_RESOURCE)) {
            Files.copy(in, file);
        }
        return file;
    }

    private static void writeGzip(Path file, byte[] text) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text);
        }
    }
}
