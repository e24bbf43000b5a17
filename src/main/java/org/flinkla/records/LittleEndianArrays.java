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
package org.flinkla.records;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Bulk little-endian array I/O for the serializers: values are packed into a scratch byte array
 * and written with one {@code write(byte[])} per 64 KB, instead of one virtual call per element.
 * The format is plain little-endian IEEE-754 / two's complement, readable by numpy
 * ({@code np.frombuffer(b, '<f8')}).
 */
public final class LittleEndianArrays {
    /** Scratch size; callers allocate it once per serializer instance. */
    public static final int SCRATCH_BYTES = 64 * 1024;

    private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private LittleEndianArrays() {}

    public static byte[] newScratch() {
        return new byte[SCRATCH_BYTES];
    }

    public static void writeDoubles(DataOutputView out, double[] a, int off, int len, byte[] scratch) throws IOException {
        int per = scratch.length / 8;
        while (len > 0) {
            int n = Math.min(per, len);
            for (int i = 0; i < n; i++) {
                DOUBLE.set(scratch, i * 8, a[off + i]);
            }
            out.write(scratch, 0, n * 8);
            off += n;
            len -= n;
        }
    }

    public static void readDoubles(DataInputView in, double[] a, int off, int len, byte[] scratch) throws IOException {
        int per = scratch.length / 8;
        while (len > 0) {
            int n = Math.min(per, len);
            in.readFully(scratch, 0, n * 8);
            for (int i = 0; i < n; i++) {
                a[off + i] = (double) DOUBLE.get(scratch, i * 8);
            }
            off += n;
            len -= n;
        }
    }

    public static void writeFloats(DataOutputView out, float[] a, int off, int len, byte[] scratch) throws IOException {
        int per = scratch.length / 4;
        while (len > 0) {
            int n = Math.min(per, len);
            for (int i = 0; i < n; i++) {
                FLOAT.set(scratch, i * 4, a[off + i]);
            }
            out.write(scratch, 0, n * 4);
            off += n;
            len -= n;
        }
    }

    public static void readFloats(DataInputView in, float[] a, int off, int len, byte[] scratch) throws IOException {
        int per = scratch.length / 4;
        while (len > 0) {
            int n = Math.min(per, len);
            in.readFully(scratch, 0, n * 4);
            for (int i = 0; i < n; i++) {
                a[off + i] = (float) FLOAT.get(scratch, i * 4);
            }
            off += n;
            len -= n;
        }
    }

    public static void writeLongs(DataOutputView out, long[] a, byte[] scratch) throws IOException {
        int per = scratch.length / 8;
        for (int off = 0; off < a.length; off += per) {
            int n = Math.min(per, a.length - off);
            for (int i = 0; i < n; i++) {
                LONG.set(scratch, i * 8, a[off + i]);
            }
            out.write(scratch, 0, n * 8);
        }
    }

    public static void readLongs(DataInputView in, long[] a, byte[] scratch) throws IOException {
        int per = scratch.length / 8;
        for (int off = 0; off < a.length; off += per) {
            int n = Math.min(per, a.length - off);
            in.readFully(scratch, 0, n * 8);
            for (int i = 0; i < n; i++) {
                a[off + i] = (long) LONG.get(scratch, i * 8);
            }
        }
    }

    public static void writeInts(DataOutputView out, int[] a, byte[] scratch) throws IOException {
        int per = scratch.length / 4;
        for (int off = 0; off < a.length; off += per) {
            int n = Math.min(per, a.length - off);
            for (int i = 0; i < n; i++) {
                INT.set(scratch, i * 4, a[off + i]);
            }
            out.write(scratch, 0, n * 4);
        }
    }

    public static void readInts(DataInputView in, int[] a, byte[] scratch) throws IOException {
        int per = scratch.length / 4;
        for (int off = 0; off < a.length; off += per) {
            int n = Math.min(per, a.length - off);
            in.readFully(scratch, 0, n * 4);
            for (int i = 0; i < n; i++) {
                a[off + i] = (int) INT.get(scratch, i * 4);
            }
        }
    }

    /** Copies {@code bytes} bytes from in to out through the scratch buffer. */
    public static void copyBytes(DataInputView in, DataOutputView out, long bytes, byte[] scratch) throws IOException {
        while (bytes > 0) {
            int n = (int) Math.min(scratch.length, bytes);
            in.readFully(scratch, 0, n);
            out.write(scratch, 0, n);
            bytes -= n;
        }
    }
}
