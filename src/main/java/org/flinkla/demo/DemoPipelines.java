package org.flinkla.demo;

import java.util.Locale;

/** The pipelines {@code demo --pipeline NAME} can run on. */
public final class DemoPipelines {
    private DemoPipelines() {}

    /** What {@code demo} runs without {@code --pipeline}. */
    public static AttentionPipeline defaultPipeline() {
        return new EnginePipeline();
    }

    public static AttentionPipeline byName(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "engine":
                return new EnginePipeline();
            default:
                throw new IllegalArgumentException("unknown pipeline '" + name + "' (expected engine)");
        }
    }
}
