package org.flinkla.engine.stack;

import java.util.Locale;

/** The feed-forward activation of an encoder layer; the name is the metadata value {@code activation}. */
public enum Activation {
    /** max(x, 0). */
    RELU,
    /** The exact GELU x·Φ(x) = ½·x·(1 + erf(x/√2)) ({@link Erf#gelu}), not the tanh approximation. */
    GELU;

    public String metadataName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** a[off .. off+n) = act(a[off .. off+n)), in place. */
    public void apply(double[] a, int off, int n) {
        if (this == RELU) {
            for (int i = off; i < off + n; i++) {
                a[i] = Math.max(a[i], 0.0);
            }
        } else {
            for (int i = off; i < off + n; i++) {
                a[i] = Erf.gelu(a[i]);
            }
        }
    }

    public static Activation parse(String name) {
        for (Activation a : values()) {
            if (a.metadataName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "' (expected relu or gelu)");
    }
}
