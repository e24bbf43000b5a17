package org.flinkla.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opening inputs named on the command line: a path, {@code -} for stdin, or {@code classpath:NAME}; {@code .gz} is decompressed. */
final class CommandInputs {
    private CommandInputs() {}

    static InputStream open(String name) throws IOException {
        InputStream in;
        if (name.equals("-")) {
            in = System.in;
        } else if (name.startsWith("classpath:")) {
            String res = name.substring("classpath:".length());
            in = CommandInputs.class.getClassLoader().getResourceAsStream(res);
            if (in == null) {
                throw new UsageException("no resource '" + res + "' in the jar");
            }
        } else {
            Path p = Path.of(name);
            if (!Files.isRegularFile(p)) {
                throw new UsageException("input file " + p + " does not exist");
            }
            in = Files.newInputStream(p);
        }
        return name.endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /** The file name without directories and {@code .gz}. */
    static String baseName(String name) {
        String n = name.startsWith("classpath:") ? name.substring("classpath:".length()) : name;
        n = n.substring(n.lastIndexOf('/') + 1);
        return n.endsWith(".gz") ? n.substring(0, n.length() - 3) : n;
    }
}
