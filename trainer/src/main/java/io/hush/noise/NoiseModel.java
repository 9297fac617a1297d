package io.hush.noise;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A noise recipe: stages applied in order, then optional clipping to [0,1] and 8-bit quantisation
 * ({@code round(255 v) / 255}, which implies clipping — what a noisy 8-bit PNG holds).
 *
 * <p>Noise is made fresh on every call from the seed given: the same seed gives the same noise, bit for bit,
 * on any machine; the model itself holds no random state, so it is safe to share between threads.
 *
 * <p>Spec grammar (see {@link #parse}): stages joined by {@code +}; {@code clip} and {@code q8} are flags.
 * <pre>
 *   gaussian:25          sigma 25 on the 0..255 scale (values are in [0,1], so sigma 25/255)
 *   gaussian:0-55        sigma drawn uniformly from [0,55]/255 per image (blind)
 *   saltpepper:0.05      5% of values to 0 or 1, half each; saltpepper:0.05,0.3 -> 30% of them salt
 *   poisson:30           Poisson(30 v) / 30 (peak photon count 30)
 *   speckle:0.1          v + v n, n ~ N(0, 0.1^2)
 *   mask:0.2             20% of pixels set to 0
 *   camera               real-camera noise (CameraNoise): unprocess to raw, shot + read noise, demosaic, process back,
 *                        JPEG; defaults shot=0.0001-0.002 (log-uniform), jpeg=60-95
 *   camera:shot=0.0002-0.004,jpeg=80-95   its parameters, key=value joined with ','; one value fixes it
 *   camera:shot=0.001,jpeg=off            fixed shot factor, no JPEG (float output: add q8 for 8 bits)
 *   gaussian:0-25|gaussian:0-55   a mixture: each image gets one alternative, chosen uniformly
 *   gaussian:25+saltpepper:0.02+clip+q8
 *   none                 no noise (identity)
 * </pre>
 */
public final class NoiseModel {
    private final List<Noise> stages;
    private final boolean clip, quantize8;

    public NoiseModel(List<Noise> stages, boolean clip, boolean quantize8) {
        this.stages = List.copyOf(stages);
        this.clip = clip || quantize8;
        this.quantize8 = quantize8;
    }

    public static NoiseModel of(Noise... stages) { return new NoiseModel(List.of(stages), false, false); }

    public NoiseModel withClip(boolean on) { return new NoiseModel(stages, on, quantize8 && on); }
    public NoiseModel withQuantize8(boolean on) { return new NoiseModel(stages, clip || on, on); }

    public List<Noise> stages() { return stages; }
    public boolean clips() { return clip; }
    public boolean quantizes8() { return quantize8; }

    /**
     * Parses a spec such as {@code gaussian:25}, {@code gaussian:0-55}, {@code gaussian:25+saltpepper:0.02+clip+q8}.
     *
     * @throws IllegalArgumentException with a message naming the spec and the part that is wrong
     */
    public static NoiseModel parse(String spec) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("empty noise spec");
        List<Noise> out = new ArrayList<>();
        boolean clip = false, q8 = false;
        for (String raw : spec.split("\\+", -1)) {
            String part = raw.trim().toLowerCase(Locale.ROOT);
            try {
                if (part.isEmpty()) throw new IllegalArgumentException("empty stage");
                switch (part) {
                    case "clip" -> clip = true;
                    case "q8", "quantize", "quantize8" -> q8 = true;
                    case "none", "clean" -> { }
                    default -> out.add(part.indexOf('|') < 0 ? stage(part) : mixture(part));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad noise spec '" + spec + "' at '" + raw.trim() + "': " + e.getMessage()
                        + " (expected e.g. gaussian:25, gaussian:0-55, saltpepper:0.05, poisson:30, speckle:0.1, mask:0.2,"
                        + " camera, camera:shot=0.0001-0.002,jpeg=60-95, joined with +, alternatives with |, flags clip and q8)", e);
            }
        }
        return new NoiseModel(out, clip, q8);
    }

    private static Noise mixture(String part) {
        List<Noise> alternatives = new ArrayList<>();
        for (String alt : part.split("\\|", -1)) {
            if (alt.isBlank()) throw new IllegalArgumentException("empty alternative in mixture");
            alternatives.add(stage(alt.trim()));
        }
        return new MixtureNoise(alternatives);
    }

    private static Noise stage(String part) {
        if (part.equals("camera")) return CameraNoise.DEFAULT;
        int colon = part.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException("missing ':<value>'");
        String name = part.substring(0, colon), arg = part.substring(colon + 1);
        return switch (name) {
            case "gaussian", "gauss", "awgn" -> {
                int dash = arg.indexOf('-', 1);
                yield dash < 0 ? GaussianNoise.of(number(arg))
                        : new GaussianNoise(number(arg.substring(0, dash)), number(arg.substring(dash + 1)));
            }
            case "saltpepper", "sp", "s&p" -> {
                String[] a = arg.split(",", -1);
                if (a.length > 2) throw new IllegalArgumentException("saltpepper takes amount[,saltRatio]");
                yield new SaltPepperNoise(number(a[0]), a.length == 2 ? number(a[1]) : 0.5);
            }
            case "poisson", "shot" -> new PoissonNoise(number(arg));
            case "speckle" -> new SpeckleNoise(number(arg));
            case "mask", "dropout" -> new MaskNoise(number(arg));
            case "camera" -> CameraNoise.parse(arg);
            default -> throw new IllegalArgumentException("unknown noise '" + name + "'");
        };
    }

    /** A finite number from spec text, or one message naming the text. */
    static double number(String s) {
        try {
            double v = Double.parseDouble(s.trim());
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number");
        }
    }

    /** Canonical spec; {@code parse(toString())} gives an equal model. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Noise n : stages) parts.add(n.spec());
        if (parts.isEmpty()) parts.add("none");
        if (clip && !quantize8) parts.add("clip");
        if (quantize8) parts.add("q8");
        return String.join("+", parts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoiseModel m && m.stages.equals(stages) && m.clip == clip && m.quantize8 == quantize8;
    }

    @Override
    public int hashCode() { return stages.hashCode() * 4 + (clip ? 2 : 0) + (quantize8 ? 1 : 0); }

    /** Corrupts one image {@code x[off, off+len)} ({@code [H,W,channels]}) in place, noise drawn from {@code seed}. */
    public void applyInPlace(float[] x, int off, int len, int channels, long seed) {
        if (channels <= 0 || len % channels != 0) {
            throw new IllegalArgumentException(len + " values are not whole pixels of " + channels + " channels");
        }
        SplittableRandom rng = new SplittableRandom(mix(seed));
        for (Noise n : stages) n.apply(x, off, len, channels, rng);
        if (quantize8) {
            for (int i = off, end = off + len; i < end; i++) x[i] = Math.round(clamp01(x[i]) * 255f) / 255f;
        } else if (clip) {
            for (int i = off, end = off + len; i < end; i++) x[i] = clamp01(x[i]);
        }
    }

    /**
     * As {@link #applyInPlace(float[], int, int, int, long)} for an image whose grid is known: stages that need it
     * ({@link GridNoise}, e.g. camera, also inside mixtures) get {@code [height, width]}; the others see the same
     * flat values, so the result equals the flat call's whenever that call accepts the image.
     */
    public void applyInPlace(float[] x, int off, int height, int width, int channels, long seed) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("image " + height + "x" + width + " has no pixels");
        new NoiseModel(stages.stream().map(n -> onGrid(n, height, width)).toList(), clip, quantize8)
                .applyInPlace(x, off, Math.multiplyExact(Math.multiplyExact(height, width), channels), channels, seed);
    }

    private static Noise onGrid(Noise n, int height, int width) {
        if (n instanceof GridNoise g) return g.onGrid(height, width);
        if (n instanceof MixtureNoise m) return new MixtureNoise(m.alternatives().stream().map(a -> onGrid(a, height, width)).toList());
        return n;
    }

    /** A noisy copy of one clean image {@code [H,W,channels]}. */
    public float[] apply(float[] clean, int channels, long seed) {
        float[] x = clean.clone();
        applyInPlace(x, 0, x.length, channels, seed);
        return x;
    }

    /**
     * Corrupts a batch {@code [n, H, W, channels]} in place; image i draws from its own stream
     * {@link #imageSeed(long, int) imageSeed(seed, i)} (so sigma ranges are drawn per image).
     */
    public void applyBatch(float[] batch, int n, int channels, long seed) {
        if (n <= 0 || batch.length % n != 0) throw new IllegalArgumentException(batch.length + " values are not " + n + " images");
        int per = batch.length / n;
        for (int i = 0; i < n; i++) applyInPlace(batch, i * per, per, channels, imageSeed(seed, i));
    }

    /** The seed of image {@code i} of a batch seeded {@code seed}. */
    public static long imageSeed(long seed, int i) { return mix(seed + 0x9E3779B97F4A7C15L * (i + 1)); }

    static float clamp01(float v) { return v > 0f ? (v < 1f ? v : 1f) : 0f; }

    /** SplitMix64 finaliser: neighbouring seeds give unrelated streams. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Shortest decimal text of a number: 25 not 25.0. */
    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }
}
