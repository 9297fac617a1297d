package io.hush.noise;

import java.awt.image.BufferedImage;
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
 *       range here is narrower, see {@link #DEFAULT_SHOT_LO}.</li>
 *   <li>White balance: times {@code [r/d, 1/d, b/d]} (done after demosaicing: both are linear per colour plane, so
 *       the order does not matter).</li>
 *   <li>Demosaicing, bilinear (the simplest one; real cameras use edge-aware ones, which correlate the noise
 *       differently): missing greens are the mean of the 4 direct neighbours, missing reds and blues the mean of the 2
 *       (same row or column) or 4 (diagonal) nearest ones; borders are mirrored without repeating the edge, which keeps
 *       the Bayer phase. Needs at least 2x2 pixels.</li>
 *   <li>Colour correction {@code cam2rgb = inverse(rgb2cam)}, gamma {@code max(x, 1e-8)^(1/2.2)}, tone curve on
 *       {@code x} clipped to [0,1], output clipped to [0,1].</li>
 *   <li>Optional JPEG (CBDNet's last step): quantised to 8 bits and compressed by javax.imageio's baseline encoder
 *       (YCbCr, 4:2:0 chroma) at a quality drawn uniformly from {@code jpeg} (integers), then decoded; the output
 *       then holds 8-bit values. Without JPEG the output is in floating point (add {@code q8} to the spec for 8 bits).</li>
 * </ol>
 * Without noise, steps 7 and 9 undo steps 1-4 exactly (up to float rounding); only the mosaic loses information, and
 * bilinear demosaicing restores smooth images closely. Because of the gamma and the tone curve, the output's noise
 * variance is not monotonic in brightness (in linear raw units it is: {@code shot * m + read}).
 *
 * <p>Gray images (1 channel) take the documented gray variant: the gray value is used for R, G and B, the colour
 * pipeline runs, and the output is the BT.601 luma {@code 0.299 R + 0.587 G + 0.114 B} of the noisy result (what
 * converting a colour camera's photo to gray gives). Other channel counts are refused.
 *
 * <p>Spec: {@code camera} (defaults) or {@code camera:key=value,...} with keys {@code shot=LO-HI} (or one value:
 * fixed) and {@code jpeg=LO-HI} (quality 1..100, or one value, or {@code off}). The image's grid comes from
 * {@link NoiseModel#applyInPlace(float[], int, int, int, int, long)}; through the flat {@link Noise} call the image
 * must be square (as training patches are).
 *
 * @param shotLo shot-noise factor range, log-uniform: raw variance per unit of raw signal
 * @param shotHi upper end of that range ({@code shotLo <= shotHi})
 * @param jpeg   JPEG quality range, or empty for no compression
 */
public record CameraNoise(double shotLo, double shotHi, Optional<JpegQuality> jpeg) implements GridNoise {
    /**
     * Default shot range, lower end. Chosen so that noising PolyU's clean {@code _mean} images gives input PSNRs that
     * cover those of the real {@code _real} shots (see tools/camera_noise_stats).
     */
    public static final double DEFAULT_SHOT_LO = 0.0001;
    /** Default shot range, upper end (see {@link #DEFAULT_SHOT_LO}). */
    public static final double DEFAULT_SHOT_HI = 0.012;
    /** Default JPEG quality range. */
    public static final JpegQuality DEFAULT_JPEG = new JpegQuality(60, 95);
    /** {@code camera}: the default ranges. */
    public static final CameraNoise DEFAULT = new CameraNoise(DEFAULT_SHOT_LO, DEFAULT_SHOT_HI, Optional.of(DEFAULT_JPEG));

    /** An inclusive range of JPEG qualities (1..100), drawn uniformly per image. */
    public record JpegQuality(int lo, int hi) {
        public JpegQuality {
            if (lo < 1 || hi > 100 || lo > hi) throw new IllegalArgumentException("jpeg quality " + lo + "-" + hi + ": need 1 <= lo <= hi <= 100");
        }

        String spec() { return lo == hi ? Integer.toString(lo) : lo + "-" + hi; }
    }

    public CameraNoise {
        if (!(shotLo > 0) || !(shotHi >= shotLo) || !(shotHi <= 1)) {
            throw new IllegalArgumentException("camera shot range " + NoiseModel.num(shotLo) + "-" + NoiseModel.num(shotHi)
                    + ": need 0 < lo <= hi <= 1 (raw variance per unit signal, e.g. 0.0001-0.012)");
        }
        if (jpeg == null) throw new IllegalArgumentException("camera jpeg: use Optional.empty() for no compression");
    }

    /**
     * XYZ (D65) to camera RGB matrices, row-major, of the five cameras of the PolyU real-noise set: Canon EOS 5D Mark
     * II, Canon EOS 600D, Canon EOS 80D, Nikon D800, Sony A7 II (ILCE-7M2). Source: the Adobe DNG Converter
     * ColorMatrix2 calibrations as tabulated (times 10000) in dcraw's {@code adobe_coeff()} (Dave Coffin, dcraw.c
     * 9.x) and LibRaw; the same kind of published calibration Brooks et al. mix.
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

    /** Draws one image's parameters (always the same number of draws in the same order, for reproducibility). */
    Params draw(RandomGenerator rng) {
        double logLo = Math.log(shotLo), logHi = Math.log(shotHi);
        double logShot = logLo + (logHi - logLo) * rng.nextDouble();
        double logRead = READ_SLOPE * logShot + READ_INTERCEPT + READ_SCATTER * rng.nextGaussian();
        double[] weights = new double[XYZ_TO_CAMERA.length];
        for (int i = 0; i < weights.length; i++) weights[i] = 1e-8 + (1 - 1e-8) * rng.nextDouble();
        double d = Math.clamp(0.8 + 0.1 * rng.nextGaussian(), 0.4, 1.2);
        double red = 1.9 + 0.5 * rng.nextDouble(), blue = 1.5 + 0.4 * rng.nextDouble();
        OptionalInt q = jpeg.isPresent() ? OptionalInt.of(jpeg.get().lo() + rng.nextInt(jpeg.get().hi() - jpeg.get().lo() + 1))
                : OptionalInt.empty();
        double[] rgb2cam = rgbToCamera(weights);
        return new Params(Math.exp(logShot), Math.exp(logRead), rgb2cam, inverse(rgb2cam), new double[] {red / d, 1 / d, blue / d}, q);
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

    // ---- the invertible steps, per value (StrictMath: the same bits on every machine) ----

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
    static double gamma(double x) { return StrictMath.pow(Math.max(x, 1e-8), 1 / 2.2); }

    /** Inverse gamma {@code max(y, 1e-8)^2.2}. */
    static double gammaInverse(double y) { return StrictMath.pow(Math.max(y, 1e-8), 2.2); }

    /**
     * Steps 1-4 on full-colour pixels, in place: display sRGB {@code [n, 3]} to white-balance-undone camera RGB (the
     * raw-like image before the mosaic).
     */
    static void toRaw(float[] rgb, int pixels, Params p) {
        double[] m = p.rgb2cam();
        double k0 = 1 / p.wb()[0], k1 = 1 / p.wb()[1], k2 = 1 / p.wb()[2];
        for (int i = 0, o = 0; i < pixels; i++, o += 3) {
            double r = gammaInverse(toneInverse(rgb[o])), g = gammaInverse(toneInverse(rgb[o + 1])), b = gammaInverse(toneInverse(rgb[o + 2]));
            rgb[o] = (float) (k0 * (m[0] * r + m[1] * g + m[2] * b));
            rgb[o + 1] = (float) (k1 * (m[3] * r + m[4] * g + m[5] * b));
            rgb[o + 2] = (float) (k2 * (m[6] * r + m[7] * g + m[8] * b));
        }
    }

    /** Steps 7 and 9 on full-colour pixels {@code [n, 3]}, in place: white balance, colour correction, gamma, tone, clip. */
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

    /** Step 6: adds noise of variance {@code shot * max(m, 0) + read} to every raw value m, in raster order. */
    static void addNoise(float[] raw, Params p, RandomGenerator rng) {
        for (int i = 0; i < raw.length; i++) raw[i] += (float) (Math.sqrt(p.variance(raw[i])) * rng.nextGaussian());
    }

    /** Mirror index without repeating the edge ({@code -1 -> 1}, {@code n -> n-2}): keeps the Bayer phase; n >= 2. */
    private static int mirror(int i, int n) { return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i; }

    /**
     * Step 8: bilinear demosaicing of an RGGB mosaic {@code [h, w]} to {@code [h, w, 3]}. Each missing value is the
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

    /** Step 10: 8-bit JPEG round trip of an sRGB image {@code [h, w, 3]} in [0,1], in place, at quality 1..100. */
    static void jpeg(float[] rgb, int h, int w, int quality) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        int[] bytes = new int[h * w * 3];
        for (int i = 0; i < bytes.length; i++) bytes[i] = Math.round(NoiseModel.clamp01(rgb[i]) * 255f);
        img.getRaster().setPixels(0, 0, w, h, bytes); // raster bands are R, G, B
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(buf)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding in memory failed", e);
        } finally {
            writer.dispose();
        }
        ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
        try (MemoryCacheImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(buf.toByteArray()))) {
            reader.setInput(in);
            BufferedImage back = reader.read(0);
            back.getRaster().getPixels(0, 0, w, h, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG decoding in memory failed", e);
        } finally {
            reader.dispose();
        }
        for (int i = 0; i < bytes.length; i++) rgb[i] = bytes[i] / 255f;
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
        apply(x, off, height, width, channels, draw(rng), rng);
    }

    /** The whole pipeline with given parameters; {@code rng} supplies the per-pixel noise. */
    static void apply(float[] x, int off, int h, int w, int channels, Params p, RandomGenerator rng) {
        int n = h * w;
        float[] rgb = new float[n * 3];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) rgb[3 * i + c] = x[off + i * channels + (channels == 3 ? c : 0)];
        }
        toRaw(rgb, n, p);
        float[] raw = mosaic(rgb, h, w);
        addNoise(raw, p, rng);
        float[] cam = demosaic(raw, h, w);
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
        return s.isEmpty() ? "camera" : "camera:" + s;
    }

    /** Parses the arguments after {@code camera:}, e.g. {@code shot=0.0001-0.012,jpeg=60-95} (lower case). */
    static CameraNoise parse(String args) {
        double shotLo = DEFAULT_SHOT_LO, shotHi = DEFAULT_SHOT_HI;
        Optional<JpegQuality> jpeg = Optional.of(DEFAULT_JPEG);
        if (args.isBlank()) throw new IllegalArgumentException("camera: nothing after ':' (write camera alone for the defaults)");
        Set<String> seen = new HashSet<>();
        for (String raw : args.split(",", -1)) {
            String kv = raw.trim();
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("camera parameter '" + kv + "' is not key=value (keys: shot, jpeg)");
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
                default -> throw new IllegalArgumentException("unknown camera parameter '" + key + "' (keys: shot, jpeg)");
            }
        }
        return new CameraNoise(shotLo, shotHi, jpeg);
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
            double x = number(v);
            return new double[] {x, x};
        }
        return new double[] {number(v.substring(0, dash)), number(v.substring(dash + 1))};
    }

    private static double number(String s) {
        try {
            double v = Double.parseDouble(s.trim());
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number");
        }
    }
}
