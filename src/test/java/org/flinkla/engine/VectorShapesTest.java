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

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The kernels of a JVM hold vectors of one shape per element type. On Java 17, when one element
 * type is used in two shapes (say 256-bit floats in one kernel and 512-bit floats in another),
 * the Vector API's shared methods see both vector classes in their type profiles, and a kernel
 * compiled after that can lose its intrinsics (measured: a float32 product kernel then ran its
 * Java fallback and allocated 3 MB per call, depending only on which kernel the JIT met first).
 * Every species held by a kernel class is checked here, on the machine the tests run on.
 */
class VectorShapesTest {
    private static final String[] KERNELS = {
        "org.flinkla.engine.VectorKernels",
        "org.flinkla.engine.GemmVector",
        "org.flinkla.engine.fla.ChunkVectorKernels",
        "org.flinkla.engine.fla.ElementwiseVector",
        "org.flinkla.engine.fla.FlaVectorKernels",
    };

    @Test
    void oneShapePerElementType() throws Exception {
        assumeTrue(VectorSupport.enabled(), "needs --add-modules jdk.incubator.vector");
        Class<?> species = Class.forName("jdk.incubator.vector.VectorSpecies");
        Map<String, String> shapeOf = new TreeMap<>();
        Map<String, String> heldBy = new TreeMap<>();
        int seen = 0;
        for (String name : KERNELS) {
            Class<?> k = Class.forName(name);
            for (Field f : k.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) || !species.isAssignableFrom(f.getType())) {
                    continue;
                }
                f.setAccessible(true);
                Object s = f.get(null);
                String element = String.valueOf(species.getMethod("elementType").invoke(s));
                String shape = String.valueOf(species.getMethod("vectorShape").invoke(s));
                String where = k.getSimpleName() + "." + f.getName();
                seen++;
                String before = shapeOf.putIfAbsent(element, shape);
                assertThat(before == null ? shape : before)
                        .as("%s is %s, but %s holds %s", where, shape, heldBy.get(element), before)
                        .isEqualTo(shape);
                heldBy.putIfAbsent(element, where);
            }
        }
        assertThat(seen).as("species fields found").isGreaterThanOrEqualTo(KERNELS.length);
    }
}
