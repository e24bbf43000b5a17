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
package org.flinkla.engine;

/**
 * Whether {@link VectorKernels} may be used: the JVM was started with
 * {@code --add-modules jdk.incubator.vector} (Java 17 resolves incubating modules only on request)
 * and the system property {@code flinkla.vector} is not {@code false}. Without the module the
 * plain-Java loops run, with the same results bit for bit; this class never touches the module's
 * types itself, so it loads on any JVM.
 */
public final class VectorSupport {
    /** System property that turns the vector kernels off ({@code -Dflinkla.vector=false}). */
    public static final String PROPERTY = "flinkla.vector";

    private static final boolean ENABLED = detect();

    private VectorSupport() {}

    /** True when the layers built from now on use the Vector API kernels. */
    public static boolean enabled() {
        return ENABLED;
    }

    /** One line for logs and benchmark reports, e.g. "Vector API, 8 doubles per vector". */
    public static String describe() {
        if (!ENABLED) {
            boolean off = "false".equalsIgnoreCase(System.getProperty(PROPERTY));
            return off ? "plain Java loops (-D" + PROPERTY + "=false)"
                    : "plain Java loops (start the JVM with --add-modules jdk.incubator.vector for the Vector API kernels)";
        }
        return "Vector API, " + VectorKernels.LANES + " doubles per vector";
    }

    private static boolean detect() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return VectorKernels.LANES >= 2;
        } catch (LinkageError e) { // module present but unusable: keep the plain loops
            return false;
        }
    }
}
