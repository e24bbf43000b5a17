package org.flinkla.bench.recall;

/** One cell of the benchmark: a method at (d_k, d_v, P), over all trials. */
public record RecallResult(int dKey, int dValue, int pairs, String method, int trials, long queries,
                           double accuracy, double meanError) {

    public static final String CSV_HEADER = "d_k,d_v,pairs,method,trials,queries,accuracy,mean_error";

    public String csvLine() {
        return dKey + "," + dValue + "," + pairs + "," + method + "," + trials + "," + queries + ","
                + String.format(java.util.Locale.ROOT, "%.6f,%.6f", accuracy, meanError);
    }
}
