package org.flinkla.jobs;

/** The Flink job of a command failed (after its restarts); the cause is Flink's failure, with the root cause inside. */
public final class JobFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JobFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
