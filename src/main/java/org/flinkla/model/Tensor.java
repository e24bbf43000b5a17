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

import java.util.Arrays;

/**
 * A dense row-major tensor of doubles with its shape, as read from or written to a safetensors
 * file. The data array is not copied (tensors here are hand-over objects, not shared values).
 *
 * <pre>{@code
 * Tensor w = new Tensor(new int[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6});
 * }</pre>
 */
public final class Tensor {
    private final int[] shape;
    private final double[] data;

    /** @throws IllegalArgumentException when a dimension is negative or the product of the shape ≠ data.length */
    public Tensor(int[] shape, double[] data) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but the data has " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    /** A rank-1 tensor over {@code data}. */
    public static Tensor vector(double[] data) {
        return new Tensor(new int[] {data.length}, data);
    }

    /** A rank-2 tensor [rows, cols] over {@code data} (row-major). */
    public static Tensor matrix(int rows, int cols, double[] data) {
        return new Tensor(new int[] {rows, cols}, data);
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    /** The row-major elements (not a copy). */
    public double[] data() {
        return data;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
