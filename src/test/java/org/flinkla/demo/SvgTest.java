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
}
