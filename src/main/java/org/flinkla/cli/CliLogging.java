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
package org.flinkla.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.appender.OutputStreamAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Logging of one command: everything (INFO and up; WARN for the chatty Kafka and metrics loggers)
 * goes to a log file, through {@link RedactingOutputStream}; the console (stderr) shows nothing of
 * Flink's and Kafka's logging unless {@code --verbose} (then WARN and up, ERROR for the chatty
 * ones), so a command's own lines and its final error line stay readable. The file is
 * {@code <java.io.tmpdir>/flinkla-logs/<command>-<time>-<pid>.log}; it is deleted when the command
 * succeeds and named in the error line when it fails.
 */
final class CliLogging implements AutoCloseable {
    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%t] %c - %msg%n%throwable";

    /** Loggers that report expected events at WARN (broker/cluster start and stop, metrics, tokens). */
    private static final List<String> CHATTY = List.of("org.apache.kafka", "kafka", "org.apache.flink.connector.kafka",
            "org.apache.flink.metrics", "org.apache.flink.runtime.metrics", "org.apache.flink.runtime.security.token",
            "org.apache.flink.runtime.webmonitor", "org.apache.flink.runtime.checkpoint.CheckpointFailureManager");

    private final Path file;
    private final OutputStream fileStream;

    private CliLogging(Path file, OutputStream fileStream) {
        this.file = file;
        this.fileStream = fileStream;
    }

    /** Configures log4j for a command (replacing whatever configuration the classpath gave). */
    static CliLogging install(String command, boolean verbose) {
        Path file = null;
        OutputStream stream = OutputStream.nullOutputStream();
        try {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "flinkla-logs");
            Files.createDirectories(dir);
            file = dir.resolve(command.replaceAll("[^A-Za-z0-9_-]", "_") + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                    + ProcessHandle.current().pid() + ".log");
            stream = new RedactingOutputStream(new FileOutputStream(file.toFile()));
        } catch (IOException | RuntimeException e) {
            file = null; // no log file: the console still gets the error line
        }
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration c = new DefaultConfiguration();
        Appender console = ConsoleAppender.newBuilder().setName("console")
                .setTarget(ConsoleAppender.Target.SYSTEM_ERR).setFollow(true)
                .setLayout(PatternLayout.newBuilder().withConfiguration(c)
                        .withPattern("%d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n").build())
                .setConfiguration(c).build();
        Appender log = OutputStreamAppender.newBuilder().setName("file").setTarget(stream).setFollow(false)
                .setImmediateFlush(true)
                .setLayout(PatternLayout.newBuilder().withConfiguration(c).withPattern(PATTERN).build())
                .setConfiguration(c).build();
        console.start();
        log.start();
        c.addAppender(console);
        c.addAppender(log);
        LoggerConfig root = c.getRootLogger();
        for (String name : root.getAppenders().keySet()) {
            root.removeAppender(name);
        }
        root.setLevel(Level.INFO);
        root.addAppender(log, null, null);
        root.addAppender(console, verbose ? Level.WARN : Level.OFF, null);
        for (String name : CHATTY) {
            add(c, name, Level.WARN, console, verbose ? Level.ERROR : Level.OFF, log);
        }
        // a local cluster is gone when a collected job ends; the collecting iterator then warns "Some data
        // might be lost" with a trace although the last results came with the job's final result
        add(c, "org.apache.flink.streaming.api.operators.collect.CollectResultFetcher", Level.ERROR, console,
                verbose ? Level.ERROR : Level.OFF, log);
        Configurator.reconfigure(c);
        ctx.updateLoggers();
        return new CliLogging(file, stream);
    }

    private static void add(Configuration c, String name, Level level, Appender console, Level consoleLevel,
            Appender log) {
        LoggerConfig lc = new LoggerConfig(name, level, false);
        lc.addAppender(log, null, null);
        lc.addAppender(console, consoleLevel, null);
        c.addLogger(name, lc);
    }

    /** The log file, or null when none could be created. */
    Path file() {
        return file;
    }

    /** Writes {@code t} with its full trace to the log file. */
    void trace(String what, Throwable t) {
        LogManager.getLogger("org.flinkla.cli").error(what, t);
    }

    /** No more log output anywhere (the process is about to exit; shutdown hooks may still log). */
    static void silence() {
        Configurator.reconfigure(new org.apache.logging.log4j.core.config.NullConfiguration());
    }

    /**
     * Back to the classpath's configuration; the log file is kept when {@code keep} (the command
     * failed), otherwise deleted.
     */
    void close(boolean keep) {
        Configurator.reconfigure();
        try {
            fileStream.close();
            if (!keep && file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a log file that cannot be closed or deleted is not worth failing a command for
        }
    }

    @Override
    public void close() {
        close(false);
    }
}
