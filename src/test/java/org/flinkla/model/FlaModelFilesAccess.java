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
