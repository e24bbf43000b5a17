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

/** Option values of the sub-commands; a bad value is a {@link UsageException} naming the option. */
final class Args {
    private Args() {}

    /** The value after option {@code args[i - 1]}. */
    static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new UsageException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** The value after option {@code args[i - 1]} as an int &gt; 0. */
    static int positiveInt(String[] args, int i) {
        String v = value(args, i);
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(args[i - 1] + " needs a positive integer, got '" + v + "'");
    }

    /** {@code v} as a long; {@code _} and {@code ,} may group digits (100_000, 100,000). */
    static long longValue(String option, String v) {
        try {
            return Long.parseLong(v.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": '" + v + "' is not a whole number");
        }
    }

    /** {@code v} as a long &gt; 0, digits grouped as in {@link #longValue}. */
    static long positiveLong(String option, String v) {
        long n = longValue(option, v);
        if (n <= 0) {
            throw new UsageException(option + " must be positive, got " + v);
        }
        return n;
    }
}
