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
package org.flinkla.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.flinkla.model.Dtype;
import org.flinkla.engine.SequenceModel;
import org.flinkla.model.Model;
import org.flinkla.model.ModelFiles;

/**
 * The state directory of one job for {@code run} (default {@code ./.flinkla-state/<job name>}):
 * the savepoints the run takes when it stops ({@code savepoints/}), the checkpoints Flink retains
 * while it runs ({@code checkpoints/}, so that even a killed run resumes from its last checkpoint),
 * and a fingerprint of what wrote them ({@code fingerprint.properties}: job name and the SHA-256
 * of the model's weights and configuration). The next run of the job resumes from the newest of
 * them; a run with another job or model is refused instead of restoring state it cannot use. A lock
 * file keeps two runs of one job from sharing the directory.
 */
final class RunState implements AutoCloseable {
    private static final String FINGERPRINT = "fingerprint.properties";

    private final Path dir;
    private final Properties fingerprint;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private RunState(Path dir, Properties fingerprint, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.fingerprint = fingerprint;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating) the state directory of {@code job} run with {@code model}: with {@code fresh}
     * its saved state is discarded; otherwise saved state of another job or model fails the run.
     */
    static RunState open(Path dir, JobDefinition job, SequenceModel model, boolean fresh, PrintStream log) throws IOException {
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IllegalStateException("another run of job " + job.name() + " is using the state directory " + dir
                    + ": wait for it to stop, or give this one its own --state-dir");
        }
        Properties want = fingerprint(job, model);
        RunState s = new RunState(dir, want, ch, lock);
        try {
            if (fresh) {
                boolean had = s.latest().isPresent();
                s.discard();
                log.println(had ? "Starting fresh (--fresh): the saved state in " + dir + " is discarded"
                        : "Starting fresh (--fresh): no saved state in " + dir);
            } else if (Files.exists(dir.resolve(FINGERPRINT)) && s.latest().isPresent()) {
                Properties have = new Properties();
                try (InputStream in = Files.newInputStream(dir.resolve(FINGERPRINT))) {
                    have.load(in);
                }
                if (!have.getProperty("job", "").equals(want.getProperty("job"))
                        || !have.getProperty("model.sha256", "").equals(want.getProperty("model.sha256"))) {
                    throw new IllegalStateException("the saved state in " + dir + " was written by job '"
                            + have.getProperty("job") + "' with model " + have.getProperty("model") + " (sha256 "
                            + abbreviate(have.getProperty("model.sha256")) + "), this run is job '" + want.getProperty("job")
                            + "' with model " + want.getProperty("model") + " (sha256 "
                            + abbreviate(want.getProperty("model.sha256")) + "): resume with the same job and model,"
                            + " give this job its own --state-dir, or start over with --fresh (discards that state)");
                }
            }
            s.writeFingerprint();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** What identifies the state's owner: the job name and a hash of the model (weights and configuration). */
    static Properties fingerprint(JobDefinition job, SequenceModel model) {
        Properties p = new Properties();
        p.setProperty("job", job.name());
        p.setProperty("model", job.model().isSeeded() ? "seeded(" + job.model().seed() + ")" : job.model().file());
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            // the configuration and every shape, then the weights: a seeded layer's encoding, or the
            // bytes of the model file (every file of a model directory, in name order)
            md.update(model.architecture().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (model instanceof Model) {
                md.update(ModelFiles.encode((Model) model, Dtype.F64));
            } else {
                Path f = Path.of(job.model().file().replaceFirst("^file://", ""));
                if (Files.isDirectory(f)) {
                    try (java.util.stream.Stream<Path> files = Files.list(f)) {
                        for (Path x : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                            md.update(Files.readAllBytes(x));
                        }
                    }
                } else if (Files.isRegularFile(f)) {
                    md.update(Files.readAllBytes(f));
                }
            }
            p.setProperty("model.sha256", HexFormat.of().formatHex(md.digest()));
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("cannot hash the model of " + job.file() + ": " + e.getMessage(), e);
        }
        return p;
    }

    Path dir() {
        return dir;
    }

    Path savepoints() {
        return dir.resolve("savepoints");
    }

    Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    /** The newest savepoint or retained checkpoint (its directory), if any. */
    Optional<Path> latest() throws IOException {
        Path newest = null;
        long time = Long.MIN_VALUE;
        for (Path root : new Path[] {savepoints(), checkpoints()}) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> all = Files.walk(root, 3)) {
                for (Path meta : (Iterable<Path>) all.filter(p -> p.getFileName().toString().equals("_metadata"))::iterator) {
                    long t = Files.getLastModifiedTime(meta).toMillis();
                    if (t > time) {
                        time = t;
                        newest = meta.getParent();
                    }
                }
            }
        }
        return Optional.ofNullable(newest);
    }

    /** After a savepoint was taken: everything older is subsumed by it. */
    void keepOnly(Path savepoint) throws IOException {
        if (Files.isDirectory(savepoints())) {
            try (Stream<Path> all = Files.list(savepoints())) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    if (!p.equals(savepoint)) {
                        JobRunner.deleteRecursively(p);
                    }
                }
            }
        }
        JobRunner.deleteRecursively(checkpoints());
    }

    private void discard() {
        JobRunner.deleteRecursively(savepoints());
        JobRunner.deleteRecursively(checkpoints());
    }

    private void writeFingerprint() throws IOException {
        try (OutputStream out = Files.newOutputStream(dir.resolve(FINGERPRINT))) {
            fingerprint.store(out, "what wrote the state in this directory (flinkla run)");
        }
    }

    private static String abbreviate(String hash) {
        return hash == null ? "?" : hash.substring(0, Math.min(12, hash.length()));
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            // released with the process
        }
    }
}
