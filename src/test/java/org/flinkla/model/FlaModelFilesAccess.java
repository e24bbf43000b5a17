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

import java.nio.file.Path;
import java.util.Map;
import org.flinkla.engine.fla.FlaConfig;

/** Test access to the tensors of a model directory as the loader reads them. */
public final class FlaModelFilesAccess {
    private FlaModelFilesAccess() {}

    public static Map<String, double[]> tensors(Path dir, FlaConfig config) {
        return FlaModelFiles.readTensors(dir, config);
    }
}
