package org.flinkla.records;

import java.util.Arrays;

/**
 * Attention outputs for one record (DESIGN §4): {@code count} vectors of width {@code dim},
 * row-major in {@code ys}, for positions {@code pos, pos+1, ...} (or the emitted subset: see
 * {@link #positions()} when outputs are thinned). {@code chunk} selects the {@code "ys"} form over
 * the single {@code "y"} form when written out.
 */
@org.apache.flink.api.common.typeinfo.TypeInfo(RecordTypes.AttentionOutputFactory.class)
public final class AttentionOutput {
    private final String seq;
    private final long pos;
    private final int dim;
    private final double[] ys;
    private final long[] positions;
    private final boolean chunk;

    /**
     * @param positions position of each emitted output, or null when they are pos, pos+1, ...
     */
    public AttentionOutput(String seq, long pos, int dim, double[] ys, long[] positions, boolean chunk) {
        if (dim <= 0 || ys.length % dim != 0) {
            throw new IllegalArgumentException("ys length " + ys.length + " is not a multiple of " + dim);
        }
        this.seq = seq;
        this.pos = pos;
        this.dim = dim;
        this.ys = ys;
        this.positions = positions;
        this.chunk = chunk;
    }

    public String seq() { return seq; }
    /** Position of the first output. */
    public long pos() { return pos; }
    public int dim() { return dim; }
    public double[] ys() { return ys; }
    public int count() { return ys.length / dim; }
    public boolean isChunk() { return chunk; }

    /** Explicit positions (when not consecutive from {@link #pos()}), or null. */
    public long[] positions() { return positions; }

    /** Position of output i. */
    public long positionOf(int i) {
        return positions != null ? positions[i] : pos + i;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AttentionOutput)) {
            return false;
        }
        AttentionOutput a = (AttentionOutput) o;
        return pos == a.pos && dim == a.dim && chunk == a.chunk && java.util.Objects.equals(seq, a.seq)
                && Arrays.equals(ys, a.ys) && Arrays.equals(positions, a.positions);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(seq, pos, dim, chunk) * 31 + Arrays.hashCode(ys);
    }

    @Override
    public String toString() {
        return "AttentionOutput{seq=" + seq + ", pos=" + pos + ", outputs=" + count() + ", dim=" + dim + "}";
    }
}
