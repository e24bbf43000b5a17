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
package org.flinkla.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bundle's set of sequence ids answers as a HashSet would, across many clears. */
class BundleKeySetTest {

    @Test
    void addsLikeAHashSetAndForgetsOnClear() {
        BundledAttentionOperator.KeySet set = new BundledAttentionOperator.KeySet(64);
        Random r = new Random(7);
        for (int segment = 0; segment < 2_000; segment++) {
            set.clear();
            Set<String> reference = new HashSet<>();
            int n = 1 + r.nextInt(64);
            for (int i = 0; i < n && reference.size() < 64; i++) {
                String key = "seq-" + r.nextInt(100);
                assertThat(set.add(key)).as("segment %d, key %s", segment, key).isEqualTo(reference.add(key));
            }
        }
    }
}
