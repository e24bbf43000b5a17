package org.flinkla.bench.recall;

/** An attention method under test: reads out every query of a {@link RecallStream}. */
public interface RecallMethod {
    /** Short label used in the table, the CSV and the plot legend. */
    String name();

    /**
     * Output [P][d_v] for query i of the stream, as seen right after all the writes (each query is
     * read from the same post-write state: earlier queries never affect later ones).
     */
    double[][] recall(RecallStream stream);
}
