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
package org.flinkla.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command line of a benchmark main: {@code --name value} options and {@code --name} switches,
 * each name known in advance. An unknown name or an option without its value fails naming it,
 * with the benchmark's usage line.
 */
final class BenchArgs {
    private final Map<String, String> values = new HashMap<>();
    private final String usage;

    private BenchArgs(String usage) {
        this.usage = usage;
    }

    /** {@code options} take a value, {@code switches} do not; {@code usage} is printed with an error. */
    static BenchArgs parse(String[] args, String usage, Set<String> options, Set<String> switches) {
        BenchArgs a = new BenchArgs(usage);
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (switches.contains(name)) {
                a.values.put(name, "");
            } else if (options.contains(name)) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(name + " needs a value (usage: " + usage + ")");
                }
                a.values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + name + " (usage: " + usage + ")");
            }
        }
        return a;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String text(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    double number(String name, double otherwise) {
        String v = values.get(name);
        try {
            return v == null ? otherwise : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes a number, got '" + v + "' (usage: " + usage + ")");
        }
    }

    int integer(String name, int otherwise) {
        String v = values.get(name);
        try {
            return v == null ? otherwise : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes a whole number, got '" + v + "' (usage: " + usage + ")");
        }
    }
}
