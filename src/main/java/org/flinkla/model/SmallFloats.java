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

/**
 * Conversions between double and the 16-bit floats of safetensors: IEEE 754 binary16 (F16: 1 sign,
 * 5 exponent, 10 fraction bits) and bfloat16 (BF16: the top 16 bits of a binary32). Encoding rounds
 * to nearest, ties to even, straight from double (no double rounding through float), overflows to
 * ±inf and keeps subnormals.
 */
final class SmallFloats {
    private SmallFloats() {}

    static double f16ToDouble(int bits) {
        int sign = (bits >>> 15) & 1;
        int exp = (bits >>> 10) & 0x1f;
        int frac = bits & 0x3ff;
        double v;
        if (exp == 0) {
            v = Math.scalb((double) frac, -24);           // subnormal: frac · 2^-24
        } else if (exp == 31) {
            v = frac == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            v = Math.scalb((double) (1024 + frac), exp - 25); // (1 + frac/2^10) · 2^(exp-15)
        }
        return sign == 0 ? v : -v;
    }

    static double bf16ToDouble(int bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    static int doubleToF16(double x) {
        return encode(x, 5, 10);
    }

    static int doubleToBf16(double x) {
        return encode(x, 8, 7);
    }

    /**
     * Sign-exponent-fraction encoding with {@code expBits} exponent and {@code fracBits} fraction bits.
     * With e = max(exponent(|x|), emin), the grid at that binade has spacing 2^(e − fracBits);
     * rint(|x| / spacing) is the significand rounded half to even (the division is an exact power-of-two
     * scaling). A significand that rounds up to 2^(fracBits+1) moves to the next binade.
     */
    private static int encode(double x, int expBits, int fracBits) {
        int bias = (1 << (expBits - 1)) - 1;
        int expAllOnes = (1 << expBits) - 1;
        int signBit = (Double.doubleToRawLongBits(x) < 0) ? 1 << (expBits + fracBits) : 0;
        if (Double.isNaN(x)) {
            return (expAllOnes << fracBits) | (1 << (fracBits - 1)); // quiet NaN, sign dropped
        }
        double a = Math.abs(x);
        if (a == Double.POSITIVE_INFINITY) {
            return signBit | (expAllOnes << fracBits);
        }
        if (a == 0) {
            return signBit;
        }
        int emin = 1 - bias;
        int e = Math.max(Math.getExponent(a), emin);
        long m = (long) Math.rint(Math.scalb(a, fracBits - e));
        if (m == (1L << (fracBits + 1))) {
            m >>= 1;
            e++;
        }
        if (e > bias) {
            return signBit | (expAllOnes << fracBits); // overflow → inf
        }
        if (m < (1L << fracBits)) {
            return signBit | (int) m;                 // subnormal (or rounded to zero): biased exponent 0
        }
        return signBit | ((e + bias) << fracBits) | (int) (m - (1L << fracBits));
    }
}
