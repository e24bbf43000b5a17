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
package org.flinkla.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A safetensors file: an 8-byte little-endian header length n, n bytes of JSON header, then the
 * raw little-endian tensor data. The header maps each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the data section)
 * and may hold a {@code "__metadata__"} map of strings.
 *
 * <pre>{@code
 * Safetensors st = Safetensors.read(Path.of("model.safetensors"));
 * Tensor w = st.tensor("query_projection.weight");   // converted to double
 * String heads = st.metadata().get("heads");
 *
 * Safetensors.write(Path.of("out.safetensors"), Map.of("w", w), Map.of("heads", "4"), Dtype.F32);
 * }</pre>
 *
 * <p>Reading validates the whole layout before any tensor is used: header length, JSON, every
 * entry's dtype/shape/offsets, offsets that tile the data section exactly (no overlap, no gap, no
 * truncation). Each problem is a {@link ModelFileException} naming the file and the tensor.
 * Tensors are decoded on request, so a file may carry tensors of other dtypes (e.g. I64 buffers)
 * that the caller never asks for.
 */
public final class Safetensors {
    /** The reference implementation refuses headers above 100 MB; so do we. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String source;
    private final Map<String, String> metadata;
    private final Map<String, Entry> entries;
    private final ByteBuffer data; // the data section, little-endian, position 0; null when mapped
    /** A file over 2 GiB: each tensor is memory-mapped from it when read (null otherwise). */
    private final Path mappedFile;
    private final long dataStart;

    private static final class Entry {
        final String name;
        final Dtype dtype;
        final long[] shape;
        final long begin;
        final long end;

        Entry(String name, Dtype dtype, long[] shape, long begin, long end) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.begin = begin;
            this.end = end;
        }
    }

    private Safetensors(String source, Map<String, String> metadata, Map<String, Entry> entries, ByteBuffer data) {
        this(source, metadata, entries, data, null, 0);
    }

    private Safetensors(String source, Map<String, String> metadata, Map<String, Entry> entries, ByteBuffer data,
                        Path mappedFile, long dataStart) {
        this.source = source;
        this.metadata = metadata;
        this.entries = entries;
        this.data = data;
        this.mappedFile = mappedFile;
        this.dataStart = dataStart;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads and validates a file. A file of up to 2 GiB is read into memory; a larger one is
     * memory-mapped: only its header is read here, and each tensor is mapped when it is decoded.
     */
    public static Safetensors read(Path file) {
        String name = file.toString();
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 16) {
                return readMapped(file);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelFileException(name, null, "no such file", e);
        } catch (IOException e) {
            throw new ModelFileException(name, null, "cannot read: " + e, e);
        }
        return parse(bytes, name);
    }

    /** The memory-mapped form of {@link #read} (package-private so tests can use it on small files). */
    static Safetensors readMapped(Path file) {
        String source = file.toString();
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new ModelFileException(source, "header", "file is " + size
                        + " bytes, too short for the 8-byte header length (not a safetensors file?)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long n = len.getLong(0);
            if (Long.compareUnsigned(n, MAX_HEADER_BYTES) > 0 || n < 2 || n > size - 8) {
                throw new ModelFileException(source, "header", "header length " + Long.toUnsignedString(n)
                        + " does not fit a file of " + size + " bytes (not a safetensors file?)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            readFully(ch, header, 8);
            JsonNode root = parseHeader(header.array(), 0, (int) n, source);
            Map<String, String> metadata = Collections.emptyMap();
            Map<String, Entry> entries = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (METADATA_KEY.equals(f.getKey())) {
                    metadata = parseMetadata(source, f.getValue());
                } else {
                    entries.put(f.getKey(), parseEntry(source, f.getKey(), f.getValue()));
                }
            }
            checkTiling(source, entries, size - 8 - n);
            return new Safetensors(source, metadata, Collections.unmodifiableMap(entries), null, file, 8 + n);
        } catch (NoSuchFileException e) {
            throw new ModelFileException(source, null, "no such file", e);
        } catch (IOException e) {
            throw new ModelFileException(source, null, "cannot read: " + e, e);
        }
    }

    private static void readFully(java.nio.channels.FileChannel ch, ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    /** Parses and validates the bytes of a file; {@code source} names it in error messages. */
    public static Safetensors parse(byte[] bytes, String source) {
        if (bytes.length < 8) {
            throw new ModelFileException(source, "header", "file is " + bytes.length
                    + " bytes, too short for the 8-byte header length (not a safetensors file?)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong(0);
        long available = bytes.length - 8L;
        if (Long.compareUnsigned(n, MAX_HEADER_BYTES) > 0) {
            throw new ModelFileException(source, "header", "header length " + Long.toUnsignedString(n)
                    + " is absurd (limit " + MAX_HEADER_BYTES + " bytes; not a safetensors file?)");
        }
        if (n > available) {
            throw new ModelFileException(source, "header", "header length " + n + " exceeds the "
                    + available + " bytes after the length field (file truncated or not safetensors)");
        }
        if (n < 2) {
            throw new ModelFileException(source, "header", "header length " + n + " is too small for a JSON object");
        }
        JsonNode root = parseHeader(bytes, 8, (int) n, source);
        int dataStart = 8 + (int) n;
        int dataLength = bytes.length - dataStart;

        Map<String, String> metadata = Collections.emptyMap();
        Map<String, Entry> entries = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (METADATA_KEY.equals(f.getKey())) {
                metadata = parseMetadata(source, f.getValue());
            } else {
                entries.put(f.getKey(), parseEntry(source, f.getKey(), f.getValue()));
            }
        }
        checkTiling(source, entries, dataLength);
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, dataLength).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Safetensors(source, metadata, Collections.unmodifiableMap(entries), data);
    }

    /** The JSON header at {@code bytes[off .. off+n)}: valid UTF-8, one object. */
    private static JsonNode parseHeader(byte[] bytes, int off, int n, String source) {
        JsonNode root;
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, off, n)).toString();
            root = JSON.readTree(text);
        } catch (CharacterCodingException e) {
            throw new ModelFileException(source, "header", "header is not valid UTF-8 (not a safetensors file?)", e);
        } catch (JsonProcessingException e) {
            throw new ModelFileException(source, "header", "bad JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFileException(source, "header", "JSON header is not an object but "
                    + (root == null ? "empty" : root.getNodeType().name().toLowerCase()));
        }
        return root;
    }

    private static Map<String, String> parseMetadata(String source, JsonNode node) {
        if (!node.isObject()) {
            throw new ModelFileException(source, "header", "__metadata__ must be an object of strings");
        }
        Map<String, String> m = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new ModelFileException(source, "metadata " + e.getKey(),
                        "value must be a string, got " + e.getValue());
            }
            m.put(e.getKey(), e.getValue().asText());
        }
        return Collections.unmodifiableMap(m);
    }

    private static Entry parseEntry(String source, String name, JsonNode node) {
        String what = "tensor " + name;
        if (!node.isObject()) {
            throw new ModelFileException(source, what, "header entry must be an object, got " + node);
        }
        JsonNode dt = node.get("dtype");
        if (dt == null) {
            throw new ModelFileException(source, what, "header entry has no dtype");
        }
        if (!dt.isTextual()) {
            throw new ModelFileException(source, what, "dtype must be a string, got " + dt);
        }
        Dtype dtype = Dtype.fromHeader(dt.asText());
        if (dtype == null) {
            throw new ModelFileException(source, what, "unknown dtype '" + dt.asText() + "'");
        }
        JsonNode sh = node.get("shape");
        if (sh == null) {
            throw new ModelFileException(source, what, "header entry has no shape");
        }
        if (!sh.isArray()) {
            throw new ModelFileException(source, what, "shape must be an array of integers, got " + sh);
        }
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToExactIntegral() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new ModelFileException(source, what, "shape must hold non-negative integers, got " + sh);
            }
            shape[i] = d.asLong();
            if (shape[i] != 0 && numel > Long.MAX_VALUE / 8 / shape[i]) {
                throw new ModelFileException(source, what, "shape " + sh + " is absurdly large");
            }
            numel *= shape[i];
        }
        JsonNode off = node.get("data_offsets");
        if (off == null) {
            throw new ModelFileException(source, what, "header entry has no data_offsets");
        }
        if (!off.isArray() || off.size() != 2 || !isNonNegativeLong(off.get(0)) || !isNonNegativeLong(off.get(1))) {
            throw new ModelFileException(source, what, "data_offsets must be [begin, end] with non-negative integers, got " + off);
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (end < begin) {
            throw new ModelFileException(source, what, "data_offsets " + off + " end before they begin");
        }
        long expected = numel * dtype.bytes();
        if (end - begin != expected) {
            throw new ModelFileException(source, what, "shape " + Arrays.toString(shape) + " of " + dtype
                    + " needs " + expected + " bytes but data_offsets " + off + " span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static boolean isNonNegativeLong(JsonNode n) {
        return n.canConvertToExactIntegral() && n.canConvertToLong() && n.asLong() >= 0;
    }

    /** The entries, sorted by offset, must cover [0, dataLength) exactly: no gap, no overlap, nothing beyond. */
    private static void checkTiling(String source, Map<String, Entry> entries, long dataLength) {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.<Entry>comparingLong(e -> e.begin).thenComparingLong(e -> e.end));
        long pos = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.end > dataLength) {
                throw new ModelFileException(source, "tensor " + e.name, "data_offsets [" + e.begin + ", " + e.end
                        + "] reach beyond the data section of " + dataLength + " bytes (file truncated?)");
            }
            if (e.begin < pos) {
                throw new ModelFileException(source, "tensor " + e.name, "data_offsets [" + e.begin + ", " + e.end
                        + "] overlap tensor " + previous.name + " [" + previous.begin + ", " + previous.end + "]");
            }
            if (e.begin > pos) {
                throw new ModelFileException(source, "tensor " + e.name, "data bytes [" + pos + ", " + e.begin
                        + ") before it belong to no tensor (offsets must cover the data section exactly)");
            }
            pos = e.end;
            previous = e;
        }
        if (pos != dataLength) {
            throw new ModelFileException(source, "data section", (dataLength - pos) + " bytes after the last tensor"
                    + (previous == null ? "" : " (" + previous.name + ")") + " belong to no tensor");
        }
    }

    // ------------------------------------------------------------------ access

    /** The file (or source description) this was read from. */
    public String source() {
        return source;
    }

    /** The {@code __metadata__} strings (empty when the header has none); unmodifiable. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in header order. */
    public Set<String> names() {
        return entries.keySet();
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** @throws ModelFileException when there is no such tensor */
    public Dtype dtype(String name) {
        return entry(name).dtype;
    }

    /** The shape as stored (a copy). @throws ModelFileException when there is no such tensor */
    public long[] shape(String name) {
        return entry(name).shape.clone();
    }

    /**
     * Decodes a tensor to doubles.
     *
     * @throws ModelFileException when there is no such tensor, its dtype is not F32/F64/F16/BF16, or it
     *                            has more than 2^31 − 1 elements
     */
    public Tensor tensor(String name) {
        Entry e = entry(name);
        String what = "tensor " + name;
        if (!e.dtype.isDecodable()) {
            throw new ModelFileException(source, what, "dtype " + e.dtype + " is not supported (expected F32, F64, F16 or BF16)");
        }
        int[] shape = new int[e.shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (e.shape[i] > Integer.MAX_VALUE) {
                throw new ModelFileException(source, what, "dimension " + e.shape[i] + " is too large");
            }
            shape[i] = (int) e.shape[i];
        }
        long numel = (e.end - e.begin) / e.dtype.bytes();
        if (numel > Integer.MAX_VALUE - 16) {
            throw new ModelFileException(source, what, numel + " elements are too many for one array");
        }
        double[] out = new double[(int) numel];
        ByteBuffer data = this.data;
        int base = (int) e.begin;
        if (data == null) {
            data = map(e, what);
            base = 0;
        }
        switch (e.dtype) {
            case F64:
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.getDouble(base + 8 * i);
                }
                break;
            case F32:
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.getFloat(base + 4 * i);
                }
                break;
            case F16:
                for (int i = 0; i < out.length; i++) {
                    out[i] = SmallFloats.f16ToDouble(data.getShort(base + 2 * i) & 0xffff);
                }
                break;
            case BF16:
                for (int i = 0; i < out.length; i++) {
                    out[i] = SmallFloats.bf16ToDouble(data.getShort(base + 2 * i) & 0xffff);
                }
                break;
            default:
                throw new AssertionError(e.dtype);
        }
        return new Tensor(shape, out);
    }

    /** The bytes of one tensor of a mapped file, mapped read-only (a tensor must be under 2 GiB). */
    private ByteBuffer map(Entry e, String what) {
        long len = e.end - e.begin;
        if (len > Integer.MAX_VALUE) {
            throw new ModelFileException(source, what, len + " bytes: one tensor must be under 2 GiB");
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(mappedFile,
                java.nio.file.StandardOpenOption.READ)) {
            return ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, dataStart + e.begin, len)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new ModelFileException(source, what, "cannot map: " + ex, ex);
        }
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new ModelFileException(source, "tensor " + name, "missing");
        }
        return e;
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes tensors (in name order) and metadata (in key order) to {@code file}, every tensor as
     * {@code dtype}. Deterministic: the same arguments give the same bytes. Values are rounded to
     * the dtype (nearest, ties to even).
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, Dtype dtype) {
        byte[] bytes = encode(tensors, metadata, dtype);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            // Write beside the target, then rename: a reader (another job, a restarted demo) never
            // sees a half-written model.
            Path tmp = (parent == null ? Path.of(".") : parent).resolve(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ModelFileException(file.toString(), null, "cannot write: " + e, e);
        }
    }

    /** The bytes {@link #write} writes. */
    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata, Dtype dtype) {
        if (!dtype.isDecodable()) {
            throw new IllegalArgumentException("cannot write dtype " + dtype + " (use F32, F64, F16 or BF16)");
        }
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        if (sorted.containsKey(METADATA_KEY)) {
            throw new IllegalArgumentException("a tensor cannot be named " + METADATA_KEY);
        }
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject(METADATA_KEY);
            new TreeMap<>(metadata).forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", dtype.name());
            ArrayNode shape = t.putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            long len = (long) e.getValue().data().length * dtype.bytes();
            t.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // Pad the header with spaces so the data section starts 8-byte aligned (as the reference writer does).
        int headerLen = (json.length + 7) / 8 * 8;
        long total = 8L + headerLen + offset;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("model of " + total + " bytes is too large for one file here");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(headerLen);
        out.put(json);
        for (int i = json.length; i < headerLen; i++) {
            out.put((byte) ' ');
        }
        for (Tensor t : sorted.values()) {
            double[] d = t.data();
            switch (dtype) {
                case F64:
                    for (double v : d) {
                        out.putDouble(v);
                    }
                    break;
                case F32:
                    for (double v : d) {
                        out.putFloat((float) v);
                    }
                    break;
                case F16:
                    for (double v : d) {
                        out.putShort((short) SmallFloats.doubleToF16(v));
                    }
                    break;
                case BF16:
                    for (double v : d) {
                        out.putShort((short) SmallFloats.doubleToBf16(v));
                    }
                    break;
                default:
                    throw new AssertionError(dtype);
            }
        }
        return out.array();
    }
}
