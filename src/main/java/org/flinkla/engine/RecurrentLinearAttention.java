package org.flinkla.engine;

/**
 * Multi-head causal linear attention in recurrent form (DESIGN §2, §3.3): one {@link #step} per
 * token updates a sequence's {@link AttentionState} in O(d²) and writes one output of width d_out.
 *
 * <pre>{@code
 * RecurrentLinearAttention layer = new RecurrentLinearAttention(config, weights);
 * AttentionState state = layer.newState();
 * double[] y = new double[config.dOut()];
 * layer.step(state, x, 0, y, 0);           // x: d_model values
 * layer.stepToken(state, layer.tokenId('A'), y, 0);
 * }</pre>
 *
 * <p>Not thread-safe: it owns scratch buffers so that a step allocates nothing. Create one per
 * thread (a Flink subtask builds its own in {@code open}).
 */
public final class RecurrentLinearAttention {
    // Implementation pending (issue 2). The public signatures below are the contract the
    // operator, the model loader and the benchmarks code against.

    public RecurrentLinearAttention(AttentionConfig config, AttentionWeights weights) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public AttentionConfig config() {
        throw new UnsupportedOperationException();
    }

    /** Elements in the flat state (all heads). */
    public int stateLength() {
        throw new UnsupportedOperationException();
    }

    public AttentionState newState() {
        throw new UnsupportedOperationException();
    }

    /** Row of the embedding for {@code symbol}, or -1 when the symbol is not in the vocabulary. */
    public int tokenId(char symbol) {
        throw new UnsupportedOperationException();
    }

    /** Number of embedding rows (0 when the model has no embedding). */
    public int vocabSize() {
        throw new UnsupportedOperationException();
    }

    /** One token given as a d_model vector {@code x[xOff..xOff+d_model)}; output to {@code y[yOff..yOff+d_out)}. */
    public void step(AttentionState state, double[] x, int xOff, double[] y, int yOff) {
        throw new UnsupportedOperationException();
    }

    /** One token given as an embedding row id in [0, vocabSize). */
    public void stepToken(AttentionState state, int tokenId, double[] y, int yOff) {
        throw new UnsupportedOperationException();
    }
}
