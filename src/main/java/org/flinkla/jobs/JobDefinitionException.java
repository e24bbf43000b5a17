package org.flinkla.jobs;

/** A job definition that cannot be run: the message names the file and the key (never a secret value). */
public final class JobDefinitionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JobDefinitionException(String message) {
        super(Secrets.redact(message));
    }

    public JobDefinitionException(String message, Throwable cause) {
        super(Secrets.redact(message), cause);
    }
}
