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

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.flinkla.engine.SequenceModel;
import org.flinkla.model.ModelFileException;
import org.flinkla.model.ModelLoader;

/**
 * How the operator finds its model: by a file-system URI (the normal case), or, for models built
 * in code, the model object itself.
 *
 * <pre>{@code
 * ModelReference dna = ModelReference.uri("file:///models/dna/gdn", Map.of("state_precision", "float64"));
 * ModelReference s3  = ModelReference.uri("s3://bucket/models/encoder.safetensors", Map.of());
 * }</pre>
 *
 * <p>A URI reference travels in the job graph as a string: each TaskManager JVM loads the model
 * once, on first use, and all its subtasks share it (the weights are read-only). {@code file:} URIs
 * and plain paths are read in place; {@code classpath:} names a model shipped inside a jar (the
 * trained DNA models, {@code classpath:/models/dna/gdn}); any other scheme is read through Flink's {@link FileSystem}
 * (S3, HDFS, ... with the matching Flink file-system plugin) into a local temporary copy first.
 * A reference made with {@link #of(SequenceModel)} carries the model itself (it must be
 * serializable): meant for tests and small seeded models.
 */
@org.apache.flink.annotation.PublicEvolving
public final class ModelReference implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Models loaded in this JVM, by {@link #cacheKey()}. */
    private static final Map<String, SequenceModel> LOADED = new ConcurrentHashMap<>();

    private final String uri;
    private final TreeMap<String, String> overrides;
    private final SequenceModel model;

    private ModelReference(String uri, Map<String, String> overrides, SequenceModel model) {
        this.uri = uri;
        this.overrides = new TreeMap<>(overrides);
        this.model = model;
    }

    /** A model file or directory by URI ({@code file:///...}, a plain path, {@code s3://...}). */
    public static ModelReference uri(String uri, Map<String, String> overrides) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("the model URI is empty: give a model file or directory");
        }
        return new ModelReference(uri, Objects.requireNonNull(overrides, "overrides"), null);
    }

    /** The model itself (must be {@link Serializable}); it is shipped inside the job graph. */
    public static ModelReference of(SequenceModel model) {
        Objects.requireNonNull(model, "model");
        if (!(model instanceof Serializable)) {
            throw new IllegalArgumentException("a model passed by value must be Serializable; pass a URI instead: "
                    + model.source());
        }
        return new ModelReference(null, Map.of(), model);
    }

    /** The URI, or null for a reference by value. */
    public String uri() {
        return uri;
    }

    /**
     * The model: for a URI, loaded on first use in this JVM and shared afterwards.
     *
     * @throws ModelFileException naming the file and the tensor or key when it cannot be loaded
     */
    public SequenceModel resolve() {
        if (model != null) {
            return model;
        }
        return LOADED.computeIfAbsent(cacheKey(), k -> load());
    }

    private String cacheKey() {
        return uri + " " + overrides;
    }

    private SequenceModel load() {
        return ModelLoader.load(localPath(uri), overrides);
    }

    /**
     * A local path for {@code uri}: the file itself for {@code file:} and plain paths, else a copy
     * in a temporary directory (deleted when the JVM exits). For code that reads a model file
     * itself, e.g. a model that is not a {@link SequenceModel}.
     *
     * @throws ModelFileException when the resource or remote file cannot be read
     */
    public static Path localPath(String uri) {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            return Path.of(uri); // a plain path with characters URIs do not allow
        }
        if (u.getScheme() == null || u.getScheme().length() == 1) { // no scheme, or a Windows drive letter
            return Path.of(uri);
        }
        if ("file".equals(u.getScheme())) {
            return Path.of(u);
        }
        if ("classpath".equals(u.getScheme())) {
            return fromClasspath(uri.substring("classpath:".length()));
        }
        try {
            org.apache.flink.core.fs.Path remote = new org.apache.flink.core.fs.Path(u);
            FileSystem fs = remote.getFileSystem();
            Path local = Files.createTempDirectory("flinkla-model-");
            local.toFile().deleteOnExit();
            FileStatus status = fs.getFileStatus(remote);
            if (status.isDir()) {
                for (FileStatus f : fs.listStatus(remote)) {
                    if (!f.isDir()) {
                        copy(fs, f.getPath(), local.resolve(f.getPath().getName()));
                    }
                }
                return local;
            }
            Path file = local.resolve(remote.getName());
            copy(fs, remote, file);
            return file;
        } catch (IOException e) {
            throw new ModelFileException(uri, "file", "cannot read it through Flink's file systems: " + e.getMessage(), e);
        }
    }

    /**
     * A model shipped as a resource ({@code classpath:/models/dna/gdn}): a directory when the
     * resource {@code <path>/config.json} exists (copied with its weights, shards included); a
     * folder holding just {@code model.safetensors} ({@code classpath:/models/dna/linear-elu}) is
     * that file; anything else is the one file named.
     */
    private static Path fromClasspath(String resource) {
        String base = resource.startsWith("/") ? resource : "/" + resource;
        try {
            Path local = Files.createTempDirectory("flinkla-model-");
            local.toFile().deleteOnExit();
            if (ModelReference.class.getResource(base + "/config.json") == null) {
                if (ModelReference.class.getResource(base + "/model.safetensors") != null) {
                    Path file = local.resolve("model.safetensors");
                    copyResource(base + "/model.safetensors", file, true);
                    return file;
                }
                Path file = local.resolve(base.substring(base.lastIndexOf('/') + 1));
                copyResource(base, file, true);
                return file;
            }
            copyResource(base + "/config.json", local.resolve("config.json"), true);
            copyResource(base + "/model.safetensors", local.resolve("model.safetensors"), false);
            Path index = local.resolve("model.safetensors.index.json");
            if (copyResource(base + "/model.safetensors.index.json", index, false)) {
                com.fasterxml.jackson.databind.JsonNode map = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(index.toFile()).path("weight_map");
                java.util.Set<String> shards = new java.util.TreeSet<>();
                map.forEach(n -> shards.add(n.asText()));
                for (String shard : shards) {
                    copyResource(base + "/" + shard, local.resolve(shard), true);
                }
            }
            return local;
        } catch (IOException e) {
            throw new ModelFileException("classpath:" + resource, "file", "cannot read the resource: " + e.getMessage(), e);
        }
    }

    private static boolean copyResource(String resource, Path to, boolean required) throws IOException {
        try (InputStream in = ModelReference.class.getResourceAsStream(resource)) {
            if (in == null) {
                if (required) {
                    throw new ModelFileException("classpath:" + resource, "file", "no such resource");
                }
                return false;
            }
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
        to.toFile().deleteOnExit();
        return true;
    }

    private static void copy(FileSystem fs, org.apache.flink.core.fs.Path from, Path to) throws IOException {
        try (InputStream in = fs.open(from)) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        to.toFile().deleteOnExit();
    }

    @Override
    public String toString() {
        return uri != null ? uri + (overrides.isEmpty() ? "" : " " + overrides) : model.source();
    }
}
