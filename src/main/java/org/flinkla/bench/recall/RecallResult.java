/*
 * Copyright 2026 The flink-linear-attention authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
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
