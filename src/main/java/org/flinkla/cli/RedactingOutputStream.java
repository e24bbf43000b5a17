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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.flinkla.jobs.Secrets;

/**
 * Writes through to another stream with every secret {@link Secrets} knows replaced by
 * {@link Secrets#MASK}. Text is held back until a line ends ({@code \n} or {@code \r}) or the stream
 * is flushed, so a secret written in several pieces is still found whole; with no secrets
 * registered it is a plain pass-through.
 */
final class RedactingOutputStream extends OutputStream {
    private static final byte[] MASK = Secrets.MASK.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    /** A line longer than this is written out anyway (its tail is kept back for a secret that straddles). */
    private static final int MAX_PENDING = 1 << 20;

    private final OutputStream out;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(256);

    RedactingOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        pending.write(b);
        if (b == '\n' || b == '\r') {
            drain(0);
        } else if (pending.size() > MAX_PENDING) {
            drain(longestSecret());
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (Secrets.utf8Values().length == 0 && pending.size() == 0) {
            out.write(b, off, len);
            return;
        }
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n' || b[i] == '\r') {
                pending.write(b, start, i + 1 - start);
                drain(0);
                start = i + 1;
            }
        }
        pending.write(b, start, off + len - start);
        if (pending.size() > MAX_PENDING) {
            drain(longestSecret());
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        drain(0);
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        flush();
        out.close();
    }

    /** Writes the pending bytes, secrets masked, except the last {@code keep} bytes. */
    private void drain(int keep) throws IOException {
        if (pending.size() == 0) {
            return;
        }
        byte[] buf = pending.toByteArray();
        int n = Math.max(0, buf.length - keep);
        pending.reset();
        pending.write(buf, n, buf.length - n);
        byte[][] secrets = Secrets.utf8Values();
        int i = 0;
        int written = 0;
        while (i < n) {
            byte[] hit = null;
            for (byte[] s : secrets) {
                if (matches(buf, i, s)) {
                    hit = s;
                    break;
                }
            }
            if (hit == null) {
                i++;
                continue;
            }
            out.write(buf, written, i - written);
            out.write(MASK);
            i += hit.length;
            written = i;
        }
        if (written < n) {
            out.write(buf, written, n - written);
        } else if (written > n) {
            // a secret ran into the kept tail: drop its rest from what is kept
            byte[] rest = pending.toByteArray();
            pending.reset();
            pending.write(rest, written - n, rest.length - (written - n));
        }
    }

    private static boolean matches(byte[] buf, int at, byte[] s) {
        if (at + s.length > buf.length) {
            return false;
        }
        for (int j = 0; j < s.length; j++) {
            if (buf[at + j] != s[j]) {
                return false;
            }
        }
        return true;
    }

    private static int longestSecret() {
        byte[][] s = Secrets.utf8Values();
        return s.length == 0 ? 0 : s[0].length;
    }
}
