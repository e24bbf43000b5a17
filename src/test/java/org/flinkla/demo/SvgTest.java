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

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class SvgTest {

    @Test
    void ticksUseOneTwoFiveStepsAndCoverTheMaximum() {
        assertThat(Svg.ticks(100_000, 6)).containsExactly(0, 20_000, 40_000, 60_000, 80_000, 100_000);
        assertThat(Svg.ticks(23.4, 5)).containsExactly(0, 5, 10, 15, 20, 25);
        double[] small = Svg.ticks(0.9, 5);
        assertThat(small).hasSize(6);
        assertThat(small[5]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void compactNumbers() {
        assertThat(Svg.compact(1_500)).isEqualTo("1.5k");
        assertThat(Svg.compact(2_000_000)).isEqualTo("2M");
        assertThat(Svg.compact(0.25)).isEqualTo("0.25");
        assertThat(Svg.compact(0)).isEqualTo("0");
    }

    @Test
    void textIsEscaped() {
        String svg = new Svg.LineChart("a < b & \"c\"", "x", "y")
                .series(new Svg.Series("s", "#000", new double[] {0, 1}, new double[] {0, 1})).render(400, 200);
        assertThat(svg).contains("a &lt; b &amp; &quot;c&quot;").doesNotContain("a < b");
    }

    @Test
    void theHeatStripEmbedsOnePixelPerColumnAndDimension() throws Exception {
        double[][] cols = new double[7][3];
        cols[0][0] = 1;    // red at the top left
        cols[6][2] = -1;   // blue at the bottom right
        String svg = Svg.heatStrip("t", cols, 1, 0, 7, "position", 400, 200);
        Matcher m = Pattern.compile("base64,([A-Za-z0-9+/=]+)").matcher(svg);
        assertThat(m.find()).isTrue();
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
        assertThat(img.getWidth()).isEqualTo(7);
        assertThat(img.getHeight()).isEqualTo(3);
        assertThat(img.getRGB(0, 0) & 0xffffff).isEqualTo(0xb2182b);
        assertThat(img.getRGB(6, 2) & 0xffffff).isEqualTo(0x2166ac);
        assertThat(img.getRGB(3, 1) & 0xffffff).isEqualTo(0xffffff);
    }

    @Test
    void ticksOfARangeStartAtAStepAtOrBelowItsLowEnd() {
        // (2.31 − 1.73) / 5 = 0.116 → a step of 0.2, from 1.6 (the multiple of 0.2 at or below 1.73)
        double[] t = Svg.ticks(1.73, 2.31, 5);
        assertThat(t[0]).isCloseTo(1.6, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(t[1] - t[0]).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(t[t.length - 1]).isGreaterThanOrEqualTo(2.31);
        assertThat(t[t.length - 2]).isLessThan(2.31);
    }

    @Test
    void probabilityBarsStackEveryColumnToItsTotalAndOutlineTheBaseThatCame() {
        double[][] p = {{0.5, 0.25, 0.125, 0.125, 0}, {0.1, 0.2, 0.3, 0.4, 0}, null};
        char[] actual = {'C', 'T', 'A'};
        String svg = Svg.probabilityBars("t", p, actual, "ACGTN", 101, 400, 300);
        // plot height = 300 − 34 (top) − 70 (bottom) = 196: the segments of column 0 are 98, 49, 24.5, 24.5
        Matcher m = Pattern.compile("<rect x=\"([0-9.]+)\" y=\"([0-9.]+)\" width=\"([0-9.]+)\" height=\"([0-9.]+)\" "
                + "fill=\"(#[0-9a-f]{6})\"/>").matcher(svg);
        double col0 = 0;
        int segments = 0;
        while (m.find()) {
            // column 0 starts at the plot's left edge (70) and is (400 − 90) / 3 wide; legend swatches are 14 wide
            if (Double.parseDouble(m.group(1)) == 70.0 && Double.parseDouble(m.group(3)) > 100) {
                col0 += Double.parseDouble(m.group(4));
            }
            segments++;
        }
        assertThat(col0).isCloseTo(196.0, org.assertj.core.data.Offset.offset(0.05));
        assertThat(segments).isGreaterThanOrEqualTo(10);
        // one outline per column with a prediction: C's segment (49 high) in column 0, T's (78.4) in column 1
        Matcher o = Pattern.compile("fill=\"none\" stroke=\"#000\"").matcher(svg);
        int outlines = 0;
        while (o.find()) {
            outlines++;
        }
        assertThat(outlines).isEqualTo(2);
        assertThat(svg).contains("height=\"49.00\" fill=\"none\"").contains("height=\"78.40\" fill=\"none\"");
        // the letters of the bases that came, and the first position on the axis
        assertThat(svg).contains(">C</text>").contains(">T</text>").contains(">A</text>").contains(">101</text>");
    }
}
