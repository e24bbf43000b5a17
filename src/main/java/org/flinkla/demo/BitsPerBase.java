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
package org.flinkla.demo;

/**
 * How well each predictor did on the demo's bases, as bits per base (the mean over bases 2..N of
 * −log2 p(base_t | bases before t); the first base has no prediction), with the bits of every
 * base for the rolling curves. An array is null, with its reason, when that predictor did not run.
 *
 * @param model         from the pipeline's committed outputs: the surprisal the job emitted per base
 * @param modelReason   why {@code model} is null
 * @param linear        the shipped linear-elu model through the engine in the demo's JVM
 * @param linearReason  why {@code linear} is null
 * @param markov        the adaptive order-k Markov baseline ({@link MarkovBaseline}) on the same bases
 * @param softmax       the shipped softmax model in a child JVM under the memory curves' heap limit,
 *                      as far as it got ({@code NaN} beyond)
 * @param softmaxBases  bases the softmax model absorbed before it stopped (0 if it did not run)
 * @param softmaxReason why {@code softmax} is null, or how it stopped (e.g. OutOfMemoryError)
 */
public record BitsPerBase(double[] model, String modelReason, double[] linear, String linearReason, double[] markov,
        double[] softmax, long softmaxBases, String softmaxReason) {

    /** Mean bits per base of the model's outputs, or NaN. */
    public double modelMean() {
        return mean(model, Integer.MAX_VALUE);
    }

    public double linearMean() {
        return mean(linear, Integer.MAX_VALUE);
    }

    public double markovMean() {
        return mean(markov, Integer.MAX_VALUE);
    }

    /** Mean over the bases the softmax model got to (2..softmaxBases), or NaN. */
    public double softmaxMean() {
        return mean(softmax, (int) Math.min(Integer.MAX_VALUE, softmaxBases));
    }

    /** Mean of the first {@code n} bases' bits of any of them (e.g. the model on the stretch softmax covered). */
    public static double mean(double[] bits, int n) {
        return bits == null ? Double.NaN : LanguageModelBits.mean(bits, n);
    }
}
