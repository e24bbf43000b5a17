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
