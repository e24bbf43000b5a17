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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * A DNA sequence read from a one-record FASTA file, checked against a known SHA-256 of the
 * uncompressed FASTA text before it is parsed.
 *
 * <p>The shipped sequence is {@code >humanchr1_frag}: 330,000 bp of human chromosome 1 (all
 * A/C/G/T), the HMMER tutorial file {@code usr/share/doc/hmmer/tutorial/dna_target.fa} from
 * Debian's {@code hmmer-doc} 3.3.2+dfsg-1, stored gzipped at {@value #SHIPPED_RESOURCE}.
 *
 * <pre>{@code
 * Chromosome chr1 = Chromosome.shipped();            // verified, 330,000 bases
 * Chromosome.Slice first = chr1.slice(100_000);     // the first 100,000 bases
 * Chromosome other = Chromosome.read(Path.of("gbpri1_BA000025.fa.gz"), null); // no checksum
 * }</pre>
 */
public final class Chromosome {
    /** Classpath location of the shipped fragment. */
    public static final String SHIPPED_RESOURCE = "/data/humanchr1_frag.fa.gz";
    /** SHA-256 of the uncompressed {@code dna_target.fa} (docs/demo.md). */
    public static final String SHIPPED_SHA256 = "2355eca4efcea77fdc82b61066e375cf17655885d346f68f6ef32d524d488113";
    /** Where the shipped file comes from, for the report. */
    public static final String SHIPPED_PROVENANCE = "Debian hmmer-doc 3.3.2+dfsg-1, "
            + "usr/share/doc/hmmer/tutorial/dna_target.fa (HMMER tutorial: 330,000 bp of human chromosome 1)";

    private final String name;
    private final String source;
    private final String sha256;
    private final byte[] bases;

    private Chromosome(String name, String source, String sha256, byte[] bases) {
        this.name = name;
        this.source = source;
        this.sha256 = sha256;
        this.bases = bases;
    }

    /** The shipped chromosome 1 fragment, read from the classpath and checksum-verified. */
    public static Chromosome shipped() throws IOException {
        try (InputStream in = Chromosome.class.getResourceAsStream(SHIPPED_RESOURCE)) {
            if (in == null) {
                throw new IOException("the shipped sequence " + SHIPPED_RESOURCE + " is not on the classpath");
            }
            return parse(readAll(in, true), "classpath:" + SHIPPED_RESOURCE, SHIPPED_SHA256);
        }
    }

    /**
     * Reads a FASTA file ({@code .gz} is decompressed). When {@code expectedSha256} is not null, the
     * SHA-256 of the uncompressed text must match it.
     */
    public static Chromosome read(Path file, String expectedSha256) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("sequence file " + file + " does not exist");
        }
        byte[] text;
        try (InputStream in = Files.newInputStream(file)) {
            text = readAll(in, file.getFileName().toString().endsWith(".gz"));
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new IOException("sequence file " + file + " is not a valid gzip file (" + e.getMessage() + ")", e);
        }
        return parse(text, file.toString(), expectedSha256);
    }

    private static byte[] readAll(InputStream raw, boolean gzip) throws IOException {
        try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 19);
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    /** Verifies the checksum (when given), then parses exactly one FASTA record of A/C/G/T. */
    static Chromosome parse(byte[] text, String source, String expectedSha256) throws IOException {
        String actual = sha256Hex(text);
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(actual)) {
            throw new IOException("sequence file " + source + " is corrupted or not the expected file: sha256 of its "
                    + "FASTA text is " + actual + ", expected " + expectedSha256);
        }
        String header = null;
        byte[] bases = new byte[text.length];
        int n = 0;
        int line = 0;
        int start = 0;
        while (start < text.length) {
            int end = start;
            while (end < text.length && text[end] != '\n') {
                end++;
            }
            line++;
            int stop = end > start && text[end - 1] == '\r' ? end - 1 : end;
            if (stop > start && text[start] == '>') {
                if (header != null) {
                    throw new IOException("sequence file " + source + " line " + line
                            + ": a second FASTA record starts here; the demo reads one record per file");
                }
                header = new String(text, start + 1, stop - start - 1, StandardCharsets.US_ASCII).trim();
            } else if (stop > start) {
                if (header == null) {
                    throw new IOException("sequence file " + source + " line " + line
                            + ": sequence before the FASTA header line ('>name')");
                }
                for (int i = start; i < stop; i++) {
                    byte b = text[i];
                    // Soft-masked (lower-case) bases count as the same base.
                    byte upper = (byte) (b >= 'a' && b <= 'z' ? b - 32 : b);
                    if (upper != 'A' && upper != 'C' && upper != 'G' && upper != 'T') {
                        throw new IOException("sequence file " + source + " line " + line + " column "
                                + (i - start + 1) + ": '" + (char) (b & 0xff) + "' is not one of A, C, G, T");
                    }
                    bases[n++] = upper;
                }
            }
            start = end + 1;
        }
        if (header == null) {
            throw new IOException("sequence file " + source + " has no FASTA header line ('>name')");
        }
        if (n == 0) {
            throw new IOException("sequence file " + source + " has a header but no bases");
        }
        String name = header.isEmpty() ? "sequence" : header.split("\\s+", 2)[0];
        return new Chromosome(name, source, actual, java.util.Arrays.copyOf(bases, n));
    }

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** First word of the FASTA header, e.g. {@code humanchr1_frag}; the demo's record key. */
    public String name() { return name; }
    /** Where it was read from (a path or {@code classpath:...}). */
    public String source() { return source; }
    /** SHA-256 of the uncompressed FASTA text. */
    public String sha256() { return sha256; }
    public int length() { return bases.length; }

    /** Base at position i (0-based), one of {@code A C G T}. */
    public char baseAt(int i) {
        return (char) bases[i];
    }

    /**
     * The first {@code n} bases; beyond {@link #length()} the sequence repeats from its start
     * ({@link Slice#repeated()} says so).
     */
    public Slice slice(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("number of bases must be positive, got " + n);
        }
        return new Slice(n);
    }

    /** A prefix of the sequence of a given length, wrapping around when longer than the record. */
    public final class Slice {
        private final long length;

        private Slice(long length) {
            this.length = length;
        }

        public long length() { return length; }
        public Chromosome chromosome() { return Chromosome.this; }

        /** True when the slice is longer than the record and so repeats it. */
        public boolean repeated() { return length > bases.length; }

        /** How many times the record is passed (fractional), e.g. 1.52 for 500,000 of 330,000. */
        public double passes() { return (double) length / bases.length; }

        public char baseAt(long pos) {
            return (char) bases[(int) (pos % bases.length)];
        }

        /** Bases [from, from+count) as a string, wrapping around the record. */
        public String substring(long from, int count) {
            StringBuilder sb = new StringBuilder(count);
            for (long p = from; p < from + count; p++) {
                sb.append((char) bases[(int) (p % bases.length)]);
            }
            return sb.toString();
        }

        /** One line of text for the output, naming the data and whether it repeats. */
        public String describe() {
            String base = String.format(java.util.Locale.ROOT, "%,d bases of >%s", length, name);
            return repeated()
                    ? base + String.format(java.util.Locale.ROOT, " (the %,d bp record repeated %.2f times)",
                            bases.length, passes())
                    : base;
        }
    }
}
