package org.flinkla.kafka;

/** No Kafka broker could be reached at the bootstrap servers tried (named in the message). */
public final class KafkaUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String bootstrapServers;

    public KafkaUnreachableException(String bootstrapServers, String problem, Throwable cause) {
        super("cannot reach Kafka at " + bootstrapServers + ": " + problem, cause);
        this.bootstrapServers = bootstrapServers;
    }

    /** The address that was tried. */
    public String bootstrapServers() {
        return bootstrapServers;
    }
}
