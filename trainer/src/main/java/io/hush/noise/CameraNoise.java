package io.hush.noise;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.random.RandomGenerator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Real-camera noise: each clean sRGB image is "unprocessed" to a raw-like sensor image, gets signal-dependent sensor
 * noise there, and is processed back the way a camera makes its JPEG, so the noise ends up signal dependent, correlated
 * between neighbouring pixels and between channels, and reshaped by the tone curve (and optionally by JPEG), as in
 * real photos. After T. Brooks, B. Mildenhall, T. Xue, J. Chen, D. Sharlet, J. T. Barron, "Unprocessing Images for
 * Learned Raw Denoising", CVPR 2019 (the unprocessing steps and all random ranges below, unless stated), and S. Guo,
 * Z. Yan, K. Zhang, W. Zuo, L. Zhang, "Toward Convolutional Blind Denoising of Real Photographs" (CBDNet), CVPR 2019
 * (the same in-camera pipeline with demosaicing and JPEG compression on top of heteroscedastic noise).
 *
 * <p>Per image, all parameters drawn from the generator passed in:
 * <ol>
 *   <li>Inverse tone curve: the smoothstep {@code y = 3x^2 - 2x^3} undone, {@code x = 1/2 - sin(asin(1 - 2y) / 3)}.</li>
 *   <li>Inverse gamma: {@code x^2.2} (sRGB-like).</li>
 *   <li>Inverse colour correction: linear sRGB to camera RGB by {@code rgb2cam = rowNormalise(xyz2cam * srgb2xyz)},
 *       {@code xyz2cam} a random convex mix of the five calibrations in {@link #XYZ_TO_CAMERA} (weights
 *       U(1e-8, 1), normalised; Brooks et al. mix their own four); rows normalised to sum 1 so gray stays gray.</li>
 *   <li>Inverse white balance: camera RGB times {@code [d/r, d, d/b]}, red gain {@code r ~ U(1.9, 2.4)}, blue gain
 *       {@code b ~ U(1.5, 1.9)}, brightness {@code d ~ N(0.8, 0.1)} (clamped to [0.4, 1.2] here). Plain global gains,
 *       not Brooks et al.'s highlight-preserving ones, so that processing inverts them exactly; the sensor's
 *       saturation is not modelled (raw values are not clipped).</li>
 *   <li>Bayer mosaic, RGGB: red at (even row, even column), blue at (odd, odd), green elsewhere.</li>
 *   <li>Heteroscedastic Gaussian noise on each raw value {@code m}: variance {@code shot * max(m, 0) + read}, with
 *       {@code log(shot) ~ U(log shotLo, log shotHi)} and {@code log(read) = 2.18 log(shot) + 1.20 + N(0, 0.26^2)}
 *       (natural logs; Brooks et al.'s fit over their cameras, whose shot range is 0.0001-0.012). The default shot
 *       range here is 0.0001-0.002, fitted to real camera JPEGs, see {@link #DEFAULT_SHOT_LO}.</li>
 *   <li>Demosaicing, bilinear (the simplest one; real cameras use edge-aware ones, which correlate the noise
 *       differently): missing greens are the mean of the 4 direct neighbours, missing reds and blues the mean of the 2
 *       (same row or column) or 4 (diagonal) nearest ones; borders are mirrored without repeating the edge, which
 *       keeps the Bayer phase. Needs at least 2x2 pixels.
 *       <br>By default ({@link Mosaic#NOISE}, {@code mosaic=noise}) only the noise goes through the mosaic and the
 *       demosaicing: demosaicing is linear, so the result is the full-colour raw-like image plus the demosaiced noise
 *       mosaic. Real noisy/clean pairs share the camera's demosaicing, so its errors on the signal are no part of
 *       real noise; bilinear demosaicing of the whole image (CBDNet's way, {@code mosaic=image}) makes textured
 *       training patches differ from their clean targets by more than the noise does (25 dB mean PSNR on CBSD432
 *       64x64 patches without any noise, against 31 dB for the default noise).</li>
 *   <li>Processing back: white balance (times {@code [r/d, 1/d, b/d]}; after demosaicing, which commutes with it as
 *       both are linear per colour plane), colour correction {@code cam2rgb = inverse(rgb2cam)}, gamma
 *       {@code max(x, 1e-8)^(1/2.2)}, tone curve on x clipped to [0,1], output clipped to [0,1].</li>
 *   <li>Optional JPEG (CBDNet's last step): quantised to 8 bits and compressed by javax.imageio's baseline encoder
 *       (YCbCr, 4:2:0 chroma) at a quality drawn uniformly from {@code jpeg} (integers, default 60-95), then decoded;
 *       the output then holds 8-bit values. This one acts on the whole image, so at low qualities it also costs
 *       detail (alone, on CBSD432 64x64 patches: 31.4 dB at quality 60, 34.0 at 80, 51.7 at 95) and the model learns
 *       to undo compression too. Without JPEG the output is in floating point (add {@code q8} for 8 bits).</li>
 * </ol>
 * Without noise, step 8 undoes steps 1-4 exactly (up to float rounding), so without JPEG the default pipeline returns
 * the clean image; with {@code mosaic=image} bilinear demosaicing restores only smooth images closely. Because of the
 * gamma and the tone curve, the output's noise variance is not monotonic in brightness (in linear raw units it is:
 * {@code shot * m + read}). Known difference from real camera JPEGs: cameras' own noise reduction removes most chroma
 * noise, so real noise is strongly correlated between channels (0.64-0.69 on PolyU) while here colour correction
 * leaves it weakly correlated (0.1-0.4 with JPEG's 4:2:0 chroma; negative R-G and G-B without JPEG).
 *
 * <p>Gray images (1 channel) take the documented gray variant: the gray value is used for R, G and B, the colour
 * pipeline runs, and the output is the BT.601 luma {@code 0.299 R + 0.587 G + 0.114 B} of the noisy result (what
 * converting a colour camera's photo to gray gives; after JPEG that luma is not on the 8-bit grid: add {@code q8}).
 * Other channel counts are refused.
 *
 * <p>Spec: {@code camera} (defaults) or {@code camera:key=value,...} with keys {@code shot=LO-HI} (or one value:
 * fixed), {@code jpeg=LO-HI} (quality 1..100, or one value, or {@code off}) and {@code mosaic=noise|image}. The
 * image's grid comes from {@link NoiseModel#applyInPlace(float[], int, int, int, int, long)}; through the flat
 * {@link Noise} call the image must be square (as training patches are). Cost: about 1.3 ms per 64x64 RGB patch,
 * 2.8 ms with JPEG (2 busy cores).
 *
 * @param shotLo shot-noise factor range, log-uniform: raw variance per unit of raw signal
 * @param shotHi upper end of that range ({@code shotLo <= shotHi})
 * @param jpeg   JPEG quality range, or empty for no compression
 * @param mosaic what goes through the Bayer mosaic and demosaicing: the noise only, or the whole image
 */
public record CameraNoise(double shotLo, double shotHi, Optional<JpegQuality> jpeg, Mosaic mosaic) implements GridNoise {
    /**
     * Default shot range, lower end (Brooks et al.'s). The range is chosen so that noising PolyU's 100 clean
     * {@code _mean} images with the default pipeline gives input PSNRs (8-bit, whole image) covering those of the real
     * {@code _real} shots with a margin: real 31.1-41.0 dB, mean 35.97; shot 0.0001-0.002 gives 26.7-47.5 dB, mean
     * 36.5 (3 draws per image; 11% below the real range, 16% above), while Brooks et al.'s 0.0001-0.012 gives
     * 19.6-47.2 dB, mean 32.2, 43% of it noisier than the noisiest real shot (tools/camera_noise_stats).
     */
    public static final double DEFAULT_SHOT_LO = 0.0001;
    /** Default shot range, upper end (see {@link #DEFAULT_SHOT_LO}). */
    public static final double DEFAULT_SHOT_HI = 0.002;
    /** Default JPEG quality range. */
    public static final JpegQuality DEFAULT_JPEG = new JpegQuality(60, 95);
    /** {@code camera}: the default ranges. */
    public static final CameraNoise DEFAULT = new CameraNoise(DEFAULT_SHOT_LO, DEFAULT_SHOT_HI, Optional.of(DEFAULT_JPEG), Mosaic.NOISE);

    /** What goes through the Bayer mosaic and bilinear demosaicing. */
    public enum Mosaic {
        /** Only the noise ({@code mosaic=noise}, the default): the signal comes back exactly, the noise is demosaiced. */
        NOISE,
        /** The whole noisy raw image ({@code mosaic=image}, as CBDNet): bilinear demosaicing errors join the noise. */
        IMAGE
    }

    /**
     * An inclusive range of JPEG qualities, drawn uniformly per image.
     *
     * @param lo lowest quality, 1..100
     * @param hi highest quality, lo..100
     */
    public record JpegQuality(int lo, int hi) {
        public JpegQuality {
            if (lo < 1 || hi > 100 || lo > hi) throw new IllegalArgumentException("jpeg quality " + lo + "-" + hi + ": need 1 <= lo <= hi <= 100");
        }

        String spec() { return lo == hi ? Integer.toString(lo) : lo + "-" + hi; }
    }

    public CameraNoise {
        if (!(shotLo > 0) || !(shotHi >= shotLo) || !(shotHi <= 1)) {
            throw new IllegalArgumentException("camera shot range " + NoiseModel.num(shotLo) + "-" + NoiseModel.num(shotHi)
                    + ": need 0 < lo <= hi <= 1 (raw variance per unit signal, e.g. 0.0001-0.002)");
        }
        if (jpeg == null) throw new IllegalArgumentException("camera jpeg: use Optional.empty() for no compression");
        if (mosaic == null) throw new IllegalArgumentException("camera mosaic: noise or image");
    }

    /**
     * XYZ (D65) to camera RGB matrices, row-major, of the five cameras of the PolyU real-noise set: Canon EOS 5D Mark
     * II, Canon EOS 600D, Canon EOS 80D, Nikon D800, Sony A7 II (ILCE-7M2). Source: the Adobe DNG Converter
     * calibrations as tabulated (times 10000) in dcraw's {@code adobe_coeff()} table (Dave Coffin, dcraw.c 9.x; the
     * same numbers are in LibRaw); the same kind of published calibration Brooks et al. mix.
     */
    static final double[][] XYZ_TO_CAMERA = {
            scaled(4716, 603, -830, -7798, 15474, 2480, -1496, 1937, 6651),   // Canon EOS 5D Mark II
            scaled(6461, -907, -882, -4300, 12184, 2378, -819, 1944, 5931),   // Canon EOS 600D
            scaled(7457, -671, -937, -4849, 12495, 2643, -1213, 2354, 5492),  // Canon EOS 80D
            scaled(7866, -2108, -555, -4869, 12483, 2681, -1176, 2069, 7501), // Nikon D800
            scaled(5271, -712, -347, -6153, 13653, 2763, -1601, 2366, 7242),  // Sony ILCE-7M2 (A7 II)
    };

    /** Linear sRGB (D65) to XYZ, row-major (IEC 61966-2-1). */
    static final double[] SRGB_TO_XYZ = {
            0.4124564, 0.3575761, 0.1804375,
            0.2126729, 0.7151522, 0.0721750,
            0.0193339, 0.1191920, 0.9503041};

    /** Brooks et al.'s fit of read against shot noise: {@code log read = SLOPE log shot + INTERCEPT + N(0, SCATTER^2)}. */
    static final double READ_SLOPE = 2.18, READ_INTERCEPT = 1.20, READ_SCATTER = 0.26;

    private static double[] scaled(int... v) {
        double[] m = new double[9];
        for (int i = 0; i < 9; i++) m[i] = v[i] / 10000.0;
        return m;
    }

    /**
     * The parameters one image draws: noise levels, colour matrices, white-balance gains and JPEG quality.
     *
     * @param rgb2cam linear sRGB to camera RGB, row-major, rows summing to 1
     * @param cam2rgb its inverse
     * @param wb      white-balance gains applied in processing, {@code [r/d, 1/d, b/d]}; unprocessing divides by them
     */
    record Params(double shot, double read, double[] rgb2cam, double[] cam2rgb, double[] wb, OptionalInt jpegQuality) {
        /** The raw noise variance at raw value {@code m}. */
        double variance(double m) { return shot * Math.max(m, 0) + read; }
    }

    /** Draws one image's parameters: for a given spec, always the same draws in the same order. */
    Params draw(RandomGenerator rng) {
        double logLo = StrictMath.log(shotLo), logHi = StrictMath.log(shotHi);
        double logShot = logLo + (logHi - logLo) * rng.nextDouble();
        double logRead = READ_SLOPE * logShot + READ_INTERCEPT + READ_SCATTER * rng.nextGaussian();
        double[] weights = new double[XYZ_TO_CAMERA.length];
        for (int i = 0; i < weights.length; i++) weights[i] = 1e-8 + (1 - 1e-8) * rng.nextDouble();
        double d = Math.clamp(0.8 + 0.1 * rng.nextGaussian(), 0.4, 1.2);
        double red = 1.9 + 0.5 * rng.nextDouble(), blue = 1.5 + 0.4 * rng.nextDouble();
        OptionalInt q = jpeg.isPresent() ? OptionalInt.of(jpeg.get().lo() + rng.nextInt(jpeg.get().hi() - jpeg.get().lo() + 1))
                : OptionalInt.empty();
        double[] rgb2cam = rgbToCamera(weights);
        return new Params(StrictMath.exp(logShot), StrictMath.exp(logRead), rgb2cam, inverse(rgb2cam), new double[] {red / d, 1 / d, blue / d}, q);
    }

    /** {@code rowNormalise(sum_i w_i XYZ_TO_CAMERA[i] * SRGB_TO_XYZ)} with the weights normalised to sum 1. */
    static double[] rgbToCamera(double[] weights) {
        double total = 0;
        for (double w : weights) total += w;
        double[] xyz2cam = new double[9];
        for (int i = 0; i < weights.length; i++) {
            for (int k = 0; k < 9; k++) xyz2cam[k] += weights[i] / total * XYZ_TO_CAMERA[i][k];
        }
        double[] m = multiply(xyz2cam, SRGB_TO_XYZ);
        for (int r = 0; r < 3; r++) {
            double s = m[3 * r] + m[3 * r + 1] + m[3 * r + 2];
            for (int k = 0; k < 3; k++) m[3 * r + k] /= s;
        }
        return m;
    }

    /** Product of two 3x3 row-major matrices. */
    static double[] multiply(double[] a, double[] b) {
        double[] m = new double[9];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) m[3 * r + c] = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
        }
        return m;
    }

    /** Inverse of a 3x3 matrix by cofactors. */
    static double[] inverse(double[] m) {
        double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8];
        double co0 = e * i - f * h, co1 = f * g - d * i, co2 = d * h - e * g;
        double det = a * co0 + b * co1 + c * co2;
        if (!(Math.abs(det) > 1e-12)) throw new IllegalStateException("singular colour matrix");
        return new double[] {
                co0 / det, (c * h - b * i) / det, (b * f - c * e) / det,
                co1 / det, (a * i - c * g) / det, (c * d - a * f) / det,
                co2 / det, (b * g - a * h) / det, (a * e - b * d) / det};
    }

    // ---- the invertible steps, per value (StrictMath: the same bits on every machine; exp(log) is ~3x faster than
    // StrictMath.pow here, which matters as the loader noises every patch on the fly) ----

    /** Brooks et al.'s global tone curve, the smoothstep {@code 3x^2 - 2x^3} on x clipped to [0,1]. */
    static double tone(double x) {
        double t = Math.clamp(x, 0.0, 1.0);
        return t * t * (3 - 2 * t);
    }

    /** Inverse of {@link #tone} on [0,1] (input clipped): {@code 1/2 - sin(asin(1 - 2y) / 3)}. */
    static double toneInverse(double y) {
        return 0.5 - StrictMath.sin(StrictMath.asin(1 - 2 * Math.clamp(y, 0.0, 1.0)) / 3);
    }

    /** Gamma compression {@code max(x, 1e-8)^(1/2.2)}. */
    static double gamma(double x) { return StrictMath.exp(StrictMath.log(Math.max(x, 1e-8)) * (1 / 2.2)); }

    /** Inverse gamma {@code max(y, 1e-8)^2.2}. */
    static double gammaInverse(double y) { return StrictMath.exp(StrictMath.log(Math.max(y, 1e-8)) * 2.2); }

    /** {@code gammaInverse(toneInverse(k / 255f))}, k = 0..255: 8-bit images (all the data sets) skip the three calls. */
    private static final double[] LINEAR_8BIT = new double[256];

    static {
        for (int k = 0; k < 256; k++) LINEAR_8BIT[k] = gammaInverse(toneInverse(k / 255f));
    }

    /** Steps 1-2: display value to linear, {@code gammaInverse(toneInverse(y))}, from a table for 8-bit values (same bits). */
    static double linear(float y) {
        int k = Math.round(y * 255f);
        return k >= 0 && k < 256 && k / 255f == y ? LINEAR_8BIT[k] : gammaInverse(toneInverse(y));
    }

    /**
     * Steps 1-4 on full-colour pixels, in place: display sRGB {@code [n, 3]} to white-balance-undone camera RGB (the
     * raw-like image before the mosaic).
     */
    static void toRaw(float[] rgb, int pixels, Params p) {
        double[] m = p.rgb2cam();
        double k0 = 1 / p.wb()[0], k1 = 1 / p.wb()[1], k2 = 1 / p.wb()[2];
        for (int i = 0, o = 0; i < pixels; i++, o += 3) {
            double r = linear(rgb[o]), g = linear(rgb[o + 1]), b = linear(rgb[o + 2]);
            rgb[o] = (float) (k0 * (m[0] * r + m[1] * g + m[2] * b));
            rgb[o + 1] = (float) (k1 * (m[3] * r + m[4] * g + m[5] * b));
            rgb[o + 2] = (float) (k2 * (m[6] * r + m[7] * g + m[8] * b));
        }
    }

    /** Step 8 on full-colour pixels {@code [n, 3]}, in place: white balance, colour correction, gamma, tone, clip. */
    static void toDisplay(float[] cam, int pixels, Params p) {
        double[] m = p.cam2rgb();
        double g0 = p.wb()[0], g1 = p.wb()[1], g2 = p.wb()[2];
        for (int i = 0, o = 0; i < pixels; i++, o += 3) {
            double r = g0 * cam[o], g = g1 * cam[o + 1], b = g2 * cam[o + 2];
            cam[o] = (float) tone(gamma(m[0] * r + m[1] * g + m[2] * b));
            cam[o + 1] = (float) tone(gamma(m[3] * r + m[4] * g + m[5] * b));
            cam[o + 2] = (float) tone(gamma(m[6] * r + m[7] * g + m[8] * b));
        }
    }

    /** The Bayer channel (0 red, 1 green, 2 blue) sampled at row {@code y}, column {@code x} of an RGGB mosaic. */
    static int bayer(int y, int x) { return (y & 1) + (x & 1); }

    /** Step 5: the RGGB mosaic {@code [h, w]} of a camera-RGB image {@code [h, w, 3]}. */
    static float[] mosaic(float[] cam, int h, int w) {
        float[] raw = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) raw[y * w + x] = cam[3 * (y * w + x) + bayer(y, x)];
        }
        return raw;
    }

    /** Step 6: the noise of a raw mosaic, variance {@code shot * max(m, 0) + read} at each raw value m, in raster order. */
    static float[] noise(float[] raw, Params p, RandomGenerator rng) {
        float[] n = new float[raw.length];
        for (int i = 0; i < raw.length; i++) n[i] = (float) (Math.sqrt(p.variance(raw[i])) * rng.nextGaussian());
        return n;
    }

    /** Mirror index without repeating the edge ({@code -1 -> 1}, {@code n -> n-2}): keeps the Bayer phase; n >= 2. */
    private static int mirror(int i, int n) { return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i; }

    /**
     * Step 7: bilinear demosaicing of an RGGB mosaic {@code [h, w]} to {@code [h, w, 3]}. Each missing value is the
     * mean of the nearest samples of its colour: greens from the 4 direct neighbours; reds/blues from the 2 row
     * neighbours (green site in a red/blue row), the 2 column neighbours (green site in the other row), or the 4
     * diagonal ones (blue/red site).
     */
    static float[] demosaic(float[] raw, int h, int w) {
        float[] out = new float[h * w * 3];
        for (int y = 0; y < h; y++) {
            int yu = mirror(y - 1, h) * w, yd = mirror(y + 1, h) * w, yc = y * w;
            for (int x = 0; x < w; x++) {
                int xl = mirror(x - 1, w), xr = mirror(x + 1, w), o = 3 * (yc + x);
                float self = raw[yc + x];
                float cross = 0.25f * (raw[yu + x] + raw[yd + x] + raw[yc + xl] + raw[yc + xr]);
                float diag = 0.25f * (raw[yu + xl] + raw[yu + xr] + raw[yd + xl] + raw[yd + xr]);
                float row = 0.5f * (raw[yc + xl] + raw[yc + xr]), col = 0.5f * (raw[yu + x] + raw[yd + x]);
                boolean evenRow = (y & 1) == 0, evenCol = (x & 1) == 0;
                if (evenRow && evenCol) {          // red site
                    out[o] = self; out[o + 1] = cross; out[o + 2] = diag;
                } else if (!evenRow && !evenCol) { // blue site
                    out[o] = diag; out[o + 1] = cross; out[o + 2] = self;
                } else if (evenRow) {              // green in a red row: red left/right, blue above/below
                    out[o] = row; out[o + 1] = self; out[o + 2] = col;
                } else {                           // green in a blue row: red above/below, blue left/right
                    out[o] = col; out[o + 1] = self; out[o + 2] = row;
                }
            }
        }
        return out;
    }

    /**
     * One JPEG encoder and decoder per thread, reused (reset before and after each image): looking them up and making
     * them costs more than coding a 64x64 patch.
     */
    private static final ThreadLocal<ImageWriter> JPEG_WRITER = ThreadLocal.withInitial(() -> ImageIO.getImageWritersByFormatName("jpeg").next());
    private static final ThreadLocal<ImageReader> JPEG_READER = ThreadLocal.withInitial(() -> ImageIO.getImageReadersByFormatName("jpeg").next());

    /** Step 9: 8-bit JPEG round trip of an sRGB image {@code [h, w, 3]} in [0,1], in place, at quality 1..100. */
    static void jpeg(float[] rgb, int h, int w, int quality) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData(); // [h, w, 3] stored B, G, R
        for (int i = 0; i < bgr.length; i += 3) {
            for (int c = 0; c < 3; c++) bgr[i + 2 - c] = (byte) Math.round(NoiseModel.clamp01(rgb[i + c]) * 255f);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ImageWriter writer = JPEG_WRITER.get();
        writer.reset();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(buf)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding in memory failed", e);
        } finally {
            writer.reset();
        }
        ImageReader reader = JPEG_READER.get();
        reader.reset();
        try (MemoryCacheImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(buf.toByteArray()))) {
            reader.setInput(in);
            BufferedImage back = reader.read(0);
            if (back.getType() == BufferedImage.TYPE_3BYTE_BGR) {
                byte[] d = ((DataBufferByte) back.getRaster().getDataBuffer()).getData();
                for (int i = 0; i < d.length; i += 3) {
                    for (int c = 0; c < 3; c++) rgb[i + c] = (d[i + 2 - c] & 0xFF) / 255f;
                }
            } else { // not what the JDK's decoder gives for YCbCr, but any layout reads right through the raster bands
                int[] px = back.getRaster().getPixels(0, 0, w, h, (int[]) null);
                for (int i = 0; i < px.length; i++) rgb[i] = px[i] / 255f;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG decoding in memory failed", e);
        } finally {
            reader.reset();
        }
    }

    /**
     * The flat call: the image must be square ({@code len / channels} a perfect square), as the trainer's patches are.
     * Images of other shapes go through {@link NoiseModel#applyInPlace(float[], int, int, int, int, long)}.
     */
    @Override
    public void apply(float[] x, int off, int len, int channels, RandomGenerator rng) {
        int pixels = len / channels;
        int side = (int) Math.round(Math.sqrt(pixels));
        if ((long) side * side != pixels) {
            throw new IllegalArgumentException(spec() + " needs the image's height and width to lay out its Bayer mosaic, and "
                    + pixels + " pixels is not a square: call NoiseModel.applyInPlace(x, off, height, width, channels, seed)");
        }
        apply(x, off, side, side, channels, rng);
    }

    @Override
    public void apply(float[] x, int off, int height, int width, int channels, RandomGenerator rng) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException(spec() + " works on RGB (3 channels) or gray (1) images, not " + channels + " channels");
        }
        if (height < 2 || width < 2) throw new IllegalArgumentException(spec() + " needs at least 2x2 pixels for its Bayer mosaic, got " + height + "x" + width);
        apply(x, off, height, width, channels, draw(rng), mosaic, rng);
    }

    /** The whole pipeline with given parameters; {@code rng} supplies the per-pixel noise. */
    static void apply(float[] x, int off, int h, int w, int channels, Params p, Mosaic mode, RandomGenerator rng) {
        int n = h * w;
        float[] rgb = new float[n * 3];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) rgb[3 * i + c] = x[off + i * channels + (channels == 3 ? c : 0)];
        }
        toRaw(rgb, n, p);
        float[] raw = mosaic(rgb, h, w);
        float[] noise = noise(raw, p, rng), cam;
        if (mode == Mosaic.IMAGE) {
            for (int i = 0; i < n; i++) raw[i] += noise[i];
            cam = demosaic(raw, h, w);
        } else { // demosaic(raw + noise) = demosaic(raw) + demosaic(noise), with the exact full-colour image for the first
            cam = demosaic(noise, h, w);
            for (int i = 0; i < cam.length; i++) cam[i] += rgb[i];
        }
        toDisplay(cam, n, p);
        if (p.jpegQuality().isPresent()) jpeg(cam, h, w, p.jpegQuality().getAsInt());
        if (channels == 3) {
            System.arraycopy(cam, 0, x, off, n * 3);
        } else {
            for (int i = 0; i < n; i++) x[off + i] = 0.299f * cam[3 * i] + 0.587f * cam[3 * i + 1] + 0.114f * cam[3 * i + 2];
        }
    }

    @Override
    public String spec() {
        StringBuilder s = new StringBuilder();
        if (shotLo != DEFAULT_SHOT_LO || shotHi != DEFAULT_SHOT_HI) {
            s.append("shot=").append(NoiseModel.num(shotLo));
            if (shotHi != shotLo) s.append('-').append(NoiseModel.num(shotHi));
        }
        if (!jpeg.equals(Optional.of(DEFAULT_JPEG))) {
            s.append(s.isEmpty() ? "" : ",").append("jpeg=").append(jpeg.map(JpegQuality::spec).orElse("off"));
        }
        if (mosaic != Mosaic.NOISE) s.append(s.isEmpty() ? "" : ",").append("mosaic=").append(mosaic.name().toLowerCase(Locale.ROOT));
        return s.isEmpty() ? "camera" : "camera:" + s;
    }

    /** Parses the arguments after {@code camera:}, e.g. {@code shot=0.0001-0.002,jpeg=60-95,mosaic=noise} (lower case). */
    static CameraNoise parse(String args) {
        double shotLo = DEFAULT_SHOT_LO, shotHi = DEFAULT_SHOT_HI;
        Optional<JpegQuality> jpeg = Optional.of(DEFAULT_JPEG);
        Mosaic mosaic = Mosaic.NOISE;
        if (args.isBlank()) throw new IllegalArgumentException("camera: nothing after ':' (write camera alone for the defaults)");
        Set<String> seen = new HashSet<>();
        for (String raw : args.split(",", -1)) {
            String kv = raw.trim();
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("camera parameter '" + kv + "' is not key=value (keys: shot, jpeg, mosaic)");
            String key = kv.substring(0, eq).trim().toLowerCase(Locale.ROOT), value = kv.substring(eq + 1).trim();
            if (!seen.add(key)) throw new IllegalArgumentException("camera parameter '" + key + "' given twice");
            switch (key) {
                case "shot" -> {
                    double[] r = range(value);
                    shotLo = r[0];
                    shotHi = r[1];
                }
                case "jpeg" -> {
                    if (value.equals("off") || value.equals("none")) {
                        jpeg = Optional.empty();
                    } else {
                        double[] r = range(value);
                        if (r[0] != Math.rint(r[0]) || r[1] != Math.rint(r[1])) {
                            throw new IllegalArgumentException("camera jpeg quality '" + value + "' must be whole numbers 1..100 or off");
                        }
                        jpeg = Optional.of(new JpegQuality((int) r[0], (int) r[1])); // casts saturate: 1e9 fails the range check
                    }
                }
                case "mosaic" -> mosaic = switch (value) {
                    case "noise" -> Mosaic.NOISE;
                    case "image" -> Mosaic.IMAGE;
                    default -> throw new IllegalArgumentException("camera mosaic '" + value + "' must be noise or image");
                };
                default -> throw new IllegalArgumentException("unknown camera parameter '" + key + "' (keys: shot, jpeg, mosaic)");
            }
        }
        return new CameraNoise(shotLo, shotHi, jpeg, mosaic);
    }

    /** {@code v} or {@code lo-hi}; a '-' right after an exponent's 'e' belongs to the number ({@code 1e-4-0.012}). */
    private static double[] range(String v) {
        int dash = -1;
        for (int i = 1; i < v.length(); i++) {
            if (v.charAt(i) == '-' && v.charAt(i - 1) != 'e' && v.charAt(i - 1) != 'E') {
                dash = i;
                break;
            }
        }
        if (dash < 0) {
            double x = NoiseModel.number(v);
            return new double[] {x, x};
        }
        return new double[] {NoiseModel.number(v.substring(0, dash)), NoiseModel.number(v.substring(dash + 1))};
    }
}
