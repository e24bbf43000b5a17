package org.flinkla.bench.recall;

/** One cell of the benchmark: a method at (d_k, d_v, P), over all trials (see {@link RecallScore}). */
public record RecallResult(int dKey, int dValue, int pairs, String method, int trials, long queries,
                           double accuracy, double meanError, double olderHalfAccuracy,
                           double newerHalfAccuracy) {

    public static final String CSV_HEADER =
            "d_k,d_v,pairs,method,trials,queries,accuracy,mean_error,accuracy_older_half,accuracy_newer_half";

    /** One CSV row; an undefined value (the older half of P = 1) is left empty. */
    public String csvLine() {
        return dKey + "," + dValue + "," + pairs + "," + method + "," + trials + "," + queries + ","
                + num(accuracy) + "," + num(meanError) + "," + num(olderHalfAccuracy) + "," + num(newerHalfAccuracy);
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(java.util.Locale.ROOT, "%.6f", v) : "";
    }
}
