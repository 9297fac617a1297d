package io.hush.noise;

import static org.junit.jupiter.api.Assertions.*;

import io.hush.train.TrainConfig;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Statistical checks use tolerances of at least 6 standard errors for the sample sizes used. */
class CameraNoiseTest {
    /** Fixed parameters: a mix of all five calibrations, gains in the middle of Brooks et al.'s ranges. */
    static CameraNoise.Params params(double shot, double read, OptionalInt jpeg) {
        double[] rgb2cam = CameraNoise.rgbToCamera(new double[] {0.1, 0.3, 0.2, 0.25, 0.15});
        double d = 0.8;
        return new CameraNoise.Params(shot, read, rgb2cam, CameraNoise.inverse(rgb2cam), new double[] {2.15 / d, 1 / d, 1.7 / d}, jpeg);
    }

    static float[] flat(int pixels, int channels, float v) {
        float[] x = new float[pixels * channels];
        Arrays.fill(x, v);
        return x;
    }

    /** A smooth colour image {@code [h, w, 3]} in [0.1, 0.9]: slow sinusoids, different per channel. */
    static float[] smooth(int h, int w) {
        float[] x = new float[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int i = 0; i < w; i++) {
                for (int c = 0; c < 3; c++) {
                    x[3 * (y * w + i) + c] = (float) (0.5 + 0.4 * Math.sin(0.02 * (c + 1) * i + 0.015 * (3 - c) * y + c));
                }
            }
        }
        return x;
    }

    @Test
    void invertibleStepsRoundTripExactly() {
        for (int k = 0; k <= 1000; k++) {
            double y = k / 1000.0;
            assertEquals(y, CameraNoise.tone(CameraNoise.toneInverse(y)), 1e-12, "tone at " + y);
            double x = CameraNoise.toneInverse(y);
            assertTrue(x >= 0 && x <= 1 && (k == 0 || x > CameraNoise.toneInverse((k - 1) / 1000.0)), "inverse tone monotonic in [0,1]");
            if (y >= 1e-3) assertEquals(y, CameraNoise.gamma(CameraNoise.gammaInverse(y)), 1e-12 * Math.max(1, y), "gamma at " + y);
        }
        assertEquals(0.5, CameraNoise.toneInverse(0.5), 1e-15);
        assertEquals(0, CameraNoise.gamma(CameraNoise.gammaInverse(0)), 3e-4, "the 1e-8 floor of the gamma");

        // colour matrices: rows of rgb2cam sum to 1 (gray stays gray), cam2rgb is its inverse
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 10; t++) {
            CameraNoise.Params p = CameraNoise.DEFAULT.draw(r);
            double[] id = CameraNoise.multiply(p.rgb2cam(), p.cam2rgb());
            for (int i = 0; i < 9; i++) assertEquals(i % 4 == 0 ? 1 : 0, id[i], 1e-12);
            for (int row = 0; row < 3; row++) assertEquals(1, p.rgb2cam()[3 * row] + p.rgb2cam()[3 * row + 1] + p.rgb2cam()[3 * row + 2], 1e-12);
            assertTrue(p.wb()[0] > p.wb()[1] && p.wb()[2] > p.wb()[1], "red and blue gains above green's");

            // per pixel: display -> raw -> display is the identity, saturated colours and black included
            int n = 2048;
            float[] rgb = new float[n * 3];
            for (int i = 0; i < rgb.length; i++) rgb[i] = i < 30 ? (i % 2) : (float) r.nextDouble();
            float[] x = rgb.clone();
            CameraNoise.toRaw(x, n, p);
            CameraNoise.toDisplay(x, n, p);
            for (int i = 0; i < rgb.length; i++) assertEquals(rgb[i], x[i], 2e-6, "value " + i);
        }
    }

    @Test
    void mosaicAndBilinearDemosaicKeepSamplesAndInterpolateLinearImagesExactly() {
        int h = 9, w = 12;
        float[] cam = new float[h * w * 3];
        // a linear function of position per channel: bilinear interpolation reproduces it away from the border
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int c = 0; c < 3; c++) cam[3 * (y * w + x) + c] = 0.1f * c + 0.01f * x + 0.02f * y;
        float[] raw = CameraNoise.mosaic(cam, h, w);
        assertEquals(cam[0], raw[0]);                         // (0,0) red
        assertEquals(cam[3 * 1 + 1], raw[1]);                 // (0,1) green
        assertEquals(cam[3 * w + 1], raw[w]);                 // (1,0) green
        assertEquals(cam[3 * (w + 1) + 2], raw[w + 1]);       // (1,1) blue
        float[] back = CameraNoise.demosaic(raw, h, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = 3 * (y * w + x);
                assertEquals(raw[y * w + x], back[o + CameraNoise.bayer(y, x)], "sampled value kept at " + y + "," + x);
                boolean inside = y > 0 && x > 0 && y < h - 1 && x < w - 1;
                for (int c = 0; c < 3; c++) {
                    // at the border the mirrored neighbours are off by at most one step of each gradient: 0.01 + 0.02
                    assertEquals(cam[o + c], back[o + c], inside ? 1e-6 : 0.0301, "channel " + c + " at " + y + "," + x);
                }
            }
        }
    }

    @Test
    void wholeChainWithoutNoiseReturnsTheImage() {
        // default: only the noise is mosaiced, so any image comes back exactly (up to float rounding)
        int h = 37, w = 50;
        float[] clean = new float[h * w * 3];
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < clean.length; i++) clean[i] = Math.round(255 * r.nextFloat()) / 255f;
        float[] z = clean.clone();
        CameraNoise.apply(z, 0, h, w, 3, params(0, 0, OptionalInt.empty()), CameraNoise.Mosaic.NOISE, new SplittableRandom(1));
        for (int i = 0; i < clean.length; i++) assertEquals(clean[i], z[i], 2e-6, "value " + i);
    }

    @Test
    void wholeImageMosaicWithoutNoiseRestoresASmoothImage() {
        int h = 48, w = 80; // not square: goes through the grid-aware call
        float[] clean = smooth(h, w);
        float[] x = clean.clone();
        CameraNoise.apply(x, 0, h, w, 3, params(0, 0, OptionalInt.empty()), CameraNoise.Mosaic.IMAGE, new SplittableRandom(1));
        double maxInside = 0, maxAll = 0;
        for (int y = 0; y < h; y++) {
            for (int i = 0; i < w; i++) {
                for (int c = 0; c < 3; c++) {
                    double e = Math.abs(x[3 * (y * w + i) + c] - clean[3 * (y * w + i) + c]);
                    maxAll = Math.max(maxAll, e);
                    if (y > 0 && i > 0 && y < h - 1 && i < w - 1) maxInside = Math.max(maxInside, e);
                }
            }
        }
        assertTrue(maxInside < 2e-3, "interior error " + maxInside);
        assertTrue(maxAll < 0.04, "border error " + maxAll); // mirrored neighbours: about one step of the gradient (<= 0.032)

        // the same through the public spec, with a negligible shot factor and no JPEG
        float[] y = clean.clone();
        NoiseModel.parse("camera:shot=1e-12,jpeg=off,mosaic=image").applyInPlace(y, 0, h, w, 3, 5);
        double mae = 0;
        for (int i = 0; i < y.length; i++) mae += Math.abs(y[i] - clean[i]);
        assertTrue(mae / y.length < 1e-3, "mean abs error " + mae / y.length);
    }

    @Test
    void rawNoiseVarianceIsShotTimesSignalPlusRead() {
        CameraNoise.Params p = params(0.004, 2e-5, OptionalInt.empty());
        int n = 1 << 18;
        for (double m : new double[] {0.02, 0.1, 0.3, 0.6, 0.95}) {
            float[] noise = CameraNoise.noise(flat(n, 1, (float) m), p, new SplittableRandom(7));
            double s = 0, s2 = 0;
            for (float v : noise) {
                s += v;
                s2 += v * v;
            }
            double mean = s / n, var = s2 / n - mean * mean, expected = 0.004 * m + 2e-5;
            assertEquals(0, mean, 6 * Math.sqrt(expected / n), "unbiased at " + m);
            assertEquals(expected, var, 6 * expected * Math.sqrt(2.0 / n), "variance at " + m);
        }
        assertEquals(2e-5, p.variance(-0.1), 0, "negative raw values get read noise only");
    }

    @Test
    void displayNoiseVarianceFollowsThePipelinePrediction() {
        double shot = 3e-4, read = Math.exp(CameraNoise.READ_SLOPE * Math.log(shot) + CameraNoise.READ_INTERCEPT);
        CameraNoise.Params p = params(shot, read, OptionalInt.empty());
        int side = 384;
        double[] levels = {0.15, 0.3, 0.5, 0.7, 0.85};
        double lo = Double.MAX_VALUE, hi = 0;
        for (double v : levels) {
            float[] x = flat(side * side, 3, (float) v);
            CameraNoise.apply(x, 0, side, side, 3, p, CameraNoise.Mosaic.NOISE, new SplittableRandom(11));
            double[] predicted = predictedVariance(v, p);
            for (int c = 0; c < 3; c++) {
                double s = 0, s2 = 0;
                int count = 0;
                for (int y = 1; y < side - 1; y++) { // the border rows and columns see mirrored neighbours
                    for (int i = 1; i < side - 1; i++) {
                        double d = x[3 * (y * side + i) + c] - v;
                        s += d;
                        s2 += d * d;
                        count++;
                    }
                }
                double mean = s / count, var = s2 / count - mean * mean;
                // neighbouring values are correlated (demosaicing): over 30 seeds the ratio measured / predicted was
                // 1.003-1.005 with a standard deviation of 0.5-0.7%, so 5% is about 6 standard errors
                assertEquals(predicted[c], var, 0.05 * predicted[c], "channel " + c + " at gray " + v);
                lo = Math.min(lo, predicted[c]);
                hi = Math.max(hi, predicted[c]);
            }
        }
        assertTrue(hi > 2 * lo, "signal-dependent: predicted variances span " + lo + " to " + hi);

        // on a flat image, demosaicing the whole noisy mosaic gives the same noise as demosaicing the noise alone
        float[] a = flat(64 * 64, 3, 0.4f), b = a.clone();
        CameraNoise.apply(a, 0, 64, 64, 3, p, CameraNoise.Mosaic.NOISE, new SplittableRandom(2));
        CameraNoise.apply(b, 0, 64, 64, 3, p, CameraNoise.Mosaic.IMAGE, new SplittableRandom(2));
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5, "value " + i);
    }

    /**
     * First-order (delta-method) variance of each display channel of a flat gray image {@code v}, averaged over the
     * four Bayer sites, computed independently of the implementation's order of operations.
     */
    static double[] predictedVariance(double v, CameraNoise.Params p) {
        double linear = Math.pow(0.5 - Math.sin(Math.asin(1 - 2 * v) / 3), 2.2); // rows of rgb2cam sum to 1: gray stays gray
        double[] s2 = new double[3]; // raw noise variance after white balance, per Bayer colour
        for (int c = 0; c < 3; c++) s2[c] = p.wb()[c] * p.wb()[c] * p.variance(linear / p.wb()[c]);
        // demosaiced variance per site (R, B, G in red row, G in blue row) and channel: own sample, mean of 2 or of 4
        double[][] sites = {
                {s2[0], s2[1] / 4, s2[2] / 4}, {s2[0] / 4, s2[1] / 4, s2[2]},
                {s2[0] / 2, s2[1], s2[2] / 2}, {s2[0] / 2, s2[1], s2[2] / 2}};
        double g = Math.pow(linear, 1 / 2.2);
        double slope = 6 * g * (1 - g) * (1 / 2.2) * Math.pow(linear, 1 / 2.2 - 1); // tone'(gamma(L)) * gamma'(L)
        double[] out = new double[3];
        for (double[] site : sites) {
            for (int i = 0; i < 3; i++) {
                double var = 0;
                for (int j = 0; j < 3; j++) var += p.cam2rgb()[3 * i + j] * p.cam2rgb()[3 * i + j] * site[j];
                out[i] += slope * slope * var / 4;
            }
        }
        return out;
    }

    static double correlation(float[] a, float[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    /** Correlations of a flat-gray noisy image {@code [side, side, 3]}: horizontal neighbours per channel, then R-G, G-B, R-B. */
    static double[] correlations(float[] x, int side) {
        int pairs = side * (side - 1), pixels = side * side;
        double[] out = new double[6];
        for (int c = 0; c < 3; c++) {
            float[] left = new float[pairs], right = new float[pairs];
            for (int y = 0, k = 0; y < side; y++) {
                for (int i = 0; i + 1 < side; i++, k++) {
                    left[k] = x[3 * (y * side + i) + c];
                    right[k] = x[3 * (y * side + i + 1) + c];
                }
            }
            out[c] = correlation(left, right);
        }
        float[][] ch = new float[3][pixels];
        for (int i = 0; i < pixels; i++) for (int c = 0; c < 3; c++) ch[c][i] = x[3 * i + c];
        out[3] = correlation(ch[0], ch[1]);
        out[4] = correlation(ch[1], ch[2]);
        out[5] = correlation(ch[0], ch[2]);
        return out;
    }

    @Test
    void noiseIsCorrelatedBetweenNeighboursAndChannelsUnlikeGaussian() {
        int side = 128, n = side * (side - 1);
        double bound = 6 / Math.sqrt(n); // |correlation| of independent noise stays below this
        float[] g = flat(side * side, 3, 0.5f);
        NoiseModel.parse("gaussian:10").applyInPlace(g, 0, side, side, 3, 1);
        for (double c : correlations(g, side)) assertTrue(Math.abs(c) < bound, "Gaussian noise is white: " + c);

        // every image draws its own matrices and gains: check several, without JPEG (demosaicing and colour alone)
        for (int seed = 0; seed < 6; seed++) {
            float[] x = flat(side * side, 3, 0.5f);
            NoiseModel.parse("camera:shot=0.002,jpeg=off").applyInPlace(x, 0, side, side, 3, seed);
            double[] c = correlations(x, side);
            // measured about 0.63, 0.43, 0.65 (green has its own sample at half the sites, red and blue at a quarter)
            for (int ch = 0; ch < 3; ch++) assertTrue(c[ch] > 0.3, "seed " + seed + " channel " + ch + " neighbours: " + c[ch]);
            // colour correction mixes the channels: R-G and G-B negatively (cam2rgb's negative off-diagonals; measured
            // about -0.44 and -0.55), R-B slightly positively (about 0.12)
            assertTrue(c[3] < -0.25 && c[4] < -0.25 && c[5] > 0.05, "seed " + seed + " channels: " + Arrays.toString(c));
        }
    }

    @Test
    void defaultJpegStepGives8BitValuesAndSmoothsTheNoise() {
        int side = 96;
        float[] clean = smooth(side, side);
        float[] a = clean.clone(), b = clean.clone();
        NoiseModel.parse("camera:shot=0.002,jpeg=off").applyInPlace(a, 0, side, side, 3, 9);
        NoiseModel.parse("camera:shot=0.002,jpeg=60").applyInPlace(b, 0, side, side, 3, 9);
        for (float v : b) assertEquals(Math.round(v * 255f), v * 255f, 1e-3f, "8-bit");
        double ea = 0, eb = 0;
        for (int i = 0; i < clean.length; i++) {
            ea += (a[i] - clean[i]) * (a[i] - clean[i]);
            eb += (b[i] - clean[i]) * (b[i] - clean[i]);
        }
        // same seed, same draws before the JPEG quality: JPEG 60 removes much of the fine-grained noise
        assertTrue(eb < 0.7 * ea, "MSE without JPEG " + ea / clean.length + ", with " + eb / clean.length);

        // the codec keeps the channel order: a flat orange stays orange (within YCbCr rounding)
        float[] orange = new float[16 * 24 * 3];
        for (int i = 0; i < orange.length; i += 3) {
            orange[i] = 0.8f;
            orange[i + 1] = 0.4f;
            orange[i + 2] = 0.1f;
        }
        float[] o = orange.clone();
        CameraNoise.jpeg(o, 16, 24, 95);
        for (int i = 0; i < o.length; i++) assertEquals(orange[i], o[i], 2.5f / 255, "value " + i);
    }

    @Test
    void grayImagesGetTheLumaOfTheColourPipeline() {
        int side = 40;
        float[] gray = new float[side * side];
        for (int i = 0; i < gray.length; i++) gray[i] = (float) (0.2 + 0.6 * (i % side) / side);
        float[] rgb = new float[gray.length * 3];
        for (int i = 0; i < gray.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
        NoiseModel m = NoiseModel.parse("camera:jpeg=off");
        float[] g = m.apply(gray, 1, 21), c = m.apply(rgb, 3, 21);
        for (int i = 0; i < gray.length; i++) assertEquals(0.299f * c[3 * i] + 0.587f * c[3 * i + 1] + 0.114f * c[3 * i + 2], g[i], 0f);
        assertFalse(Arrays.equals(gray, g), "noisy");
    }

    @Test
    void sameSeedSameNoise() {
        NoiseModel m = NoiseModel.parse("camera");
        int side = 32, per = side * side * 3;
        float[] clean = smooth(side, side);
        assertArrayEquals(m.apply(clean, 3, 5), m.apply(clean, 3, 5));
        assertFalse(Arrays.equals(m.apply(clean, 3, 5), m.apply(clean, 3, 6)));
        float[] grid = clean.clone();
        m.applyInPlace(grid, 0, side, side, 3, 5);
        assertArrayEquals(m.apply(clean, 3, 5), grid, "grid-aware call = flat call on a square image");
        float[] b1 = new float[4 * per], b2 = new float[4 * per];
        for (int i = 0; i < 4; i++) System.arraycopy(clean, 0, b1, i * per, per);
        System.arraycopy(b1, 0, b2, 0, b1.length);
        m.applyBatch(b1, 4, 3, 99);
        m.applyBatch(b2, 4, 3, 99);
        assertArrayEquals(b1, b2);
        assertArrayEquals(Arrays.copyOfRange(b1, 2 * per, 3 * per), m.apply(clean, 3, NoiseModel.imageSeed(99, 2)));
        assertFalse(Arrays.equals(Arrays.copyOfRange(b1, 0, per), Arrays.copyOfRange(b1, per, 2 * per)), "images differ");
        assertEquals(smooth(side, side)[7], clean[7], "input untouched");

        // inside a mixture the grid reaches the camera stage too
        NoiseModel mix = NoiseModel.parse("camera|gaussian:10");
        float[] wide = smooth(16, 48), w1 = wide.clone(), w2 = wide.clone();
        mix.applyInPlace(w1, 0, 16, 48, 3, 4);
        mix.applyInPlace(w2, 0, 16, 48, 3, 4);
        assertArrayEquals(w1, w2);
    }

    @Test
    void parsesSpecsAndRoundTripsThem() {
        for (String s : new String[] {"camera", "camera:jpeg=off", "camera:shot=0.001", "camera:shot=5.0E-4-0.004,jpeg=80-95",
                "camera:jpeg=90", "camera+q8", "camera|gaussian:10", "camera:shot=0.001-0.003,jpeg=off+clip", "camera:mosaic=image",
                "camera:shot=0.001,jpeg=off,mosaic=image"}) {
            NoiseModel m = NoiseModel.parse(s);
            assertEquals(s, m.toString());
            assertEquals(m, NoiseModel.parse(m.toString()));
        }
        assertEquals(CameraNoise.DEFAULT, NoiseModel.parse("camera:shot=1e-4-0.002,jpeg=60-95,mosaic=noise").stages().get(0));
        assertEquals(CameraNoise.DEFAULT, NoiseModel.parse(" Camera ").stages().get(0));
        CameraNoise c = (CameraNoise) NoiseModel.parse("camera:jpeg=70-90,shot=0.0002-0.001").stages().get(0);
        assertEquals(new CameraNoise(0.0002, 0.001, java.util.Optional.of(new CameraNoise.JpegQuality(70, 90)), CameraNoise.Mosaic.NOISE), c);
    }

    @Test
    void colorRealPresetIsColorBlindWithCameraNoise() {
        TrainConfig real = TrainConfig.preset("color-real"), blind = TrainConfig.preset("color-blind");
        assertEquals(NoiseModel.of(CameraNoise.DEFAULT).withQuantize8(true), NoiseModel.parse(real.noise));
        assertEquals("weights/color-real.hush", real.out);
        assertEquals("color-real", real.name);
        for (String k : TrainConfig.keys()) {
            if (!List.of("noise", "augment", "out", "runDir", "name", "description").contains(k)) assertEquals(blind.get(k), real.get(k), k);
        }
        assertEquals("default", real.get("augment")); // as color-real.hush was trained; color-blind adds colour changes
        assertEquals("color", blind.get("augment"));
        assertEquals("cbsd432", real.data);
        assertEquals("kodak24", real.val);
        assertTrue(real.color);
    }

    @Test
    void badSpecsNameTheProblem() {
        String[][] cases = {
                {"camera:", "nothing after ':'"}, {"camera:shot=abc", "'abc' is not a number"},
                {"camera:shot=0.01-0.001", "need 0 < lo <= hi <= 1"}, {"camera:shot=0", "need 0 < lo <= hi <= 1"},
                {"camera:jpeg=0-120", "need 1 <= lo <= hi <= 100"}, {"camera:jpeg=80.5", "whole numbers 1..100 or off"},
                {"camera:iso=800", "unknown camera parameter 'iso' (keys: shot, jpeg, mosaic)"}, {"camera:shot", "is not key=value"},
                {"camera:mosaic=bayer", "camera mosaic 'bayer' must be noise or image"},
                {"camera:shot=0.001,shot=0.002", "'shot' given twice"}, {"camera:shot=0.001,", "'' is not key=value"}};
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NoiseModel.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertTrue(e.getMessage().contains("'" + c[0] + "'"), e.getMessage());
        }
        NoiseModel m = NoiseModel.parse("camera");
        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class, () -> m.apply(new float[6 * 8 * 3], 3, 1));
        assertTrue(flat.getMessage().contains("48 pixels is not a square") && flat.getMessage().contains("height, width"), flat.getMessage());
        IllegalArgumentException rgba = assertThrows(IllegalArgumentException.class, () -> m.apply(new float[16 * 4], 4, 1));
        assertTrue(rgba.getMessage().contains("not 4 channels"), rgba.getMessage());
        IllegalArgumentException tiny = assertThrows(IllegalArgumentException.class, () -> m.applyInPlace(new float[5 * 3], 0, 1, 5, 3, 1));
        assertTrue(tiny.getMessage().contains("at least 2x2 pixels") && tiny.getMessage().contains("got 1x5"), tiny.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> NoiseModel.parse("camera|gaussian:1").applyInPlace(new float[10], 0, 0, 5, 2, 1));
        assertTrue(size.getMessage().contains("no pixels"), size.getMessage());
    }
}
