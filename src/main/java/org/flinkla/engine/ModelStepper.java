package org.flinkla.engine;

/**
 * Runs tokens of a {@link SequenceModel} on a sequence's {@link ModelState}. Not thread-safe: it
 * owns the scratch buffers of its thread, so no step allocates. Each step absorbs the token into
 * the state (its token count goes up by one) and writes one output of
 * {@link SequenceModel#outputWidth()} values.
 */
public interface ModelStepper {

    /** One token given as a vector {@code x[xOff .. xOff + inputWidth)}; output to {@code y[yOff ..]}. */
    void step(ModelState state, double[] x, int xOff, double[] y, int yOff);

    /** One token given as an id in [0, vocabSize). */
    void stepToken(ModelState state, int tokenId, double[] y, int yOff);

    /** {@code n} vectors {@code xs[xOff + i·inputWidth ..]} in order; outputs to {@code ys[yOff + i·outputWidth ..]}. */
    void steps(ModelState state, double[] xs, int xOff, int n, double[] ys, int yOff);

    /** {@code n} token ids {@code ids[off .. off + n)} in order; outputs to {@code ys[yOff + i·outputWidth ..]}. */
    void stepTokens(ModelState state, int[] ids, int off, int n, double[] ys, int yOff);
}
