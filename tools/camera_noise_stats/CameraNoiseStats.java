import io.hush.noise.NoiseModel;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Compares synthetic camera noise with the real noise of the PolyU pairs ({@code *_real.JPG} one noisy shot,
 * {@code *_mean.JPG} the clean mean of many): for the real pairs and, for each noise spec given, for the clean images
 * noised with it ({@code seeds} draws per image), prints the distribution of the input PSNR (noisy vs clean, 8-bit,
 * whole image, all channels), the noise standard deviation by clean brightness, and the noise correlation between
 * horizontal neighbours (same channel) and between channels (same pixel). Synthetic noisy images are rounded to 8 bits.
 *
 * <pre>
 * mvn -q -B -o -pl trainer -am compile        # from the repository root
 * $JAVA_HOME/bin/java -cp trainer/target/classes tools/camera_noise_stats/CameraNoiseStats.java \
 *     ../shared/data/polyu100 2 camera camera:jpeg=off
 * </pre>
 * ($JAVA_HOME: a JDK 25.) Arguments: the PolyU folder, the number of seeds per image, then noise specs.
 */
public final class CameraNoiseStats {
    static final int BINS = 8;

    /** One pair: 8-bit values {@code [h, w, 3]} scaled to [0,1]. */
    record Pair(String name, float[] real, float[] mean, int h, int w) {}

    /** Accumulated statistics of one noise source. */
    static final class Stats {
        final List<Double> psnr = new ArrayList<>();
        final Map<String, List<Double>> psnrByCamera = new TreeMap<>();
        final double[] binSum = new double[BINS], binSq = new double[BINS];
        final long[] binN = new long[BINS];
        double hxy, hxx, hyy, rg, gb, rb, rr, gg, bb;

        void add(String camera, float[] noisy, float[] clean, int h, int w) {
            double mse = 0;
            for (int i = 0; i < clean.length; i++) {
                double d = 255.0 * (noisy[i] - clean[i]);
                mse += d * d;
            }
            mse /= clean.length;
            double p = 10 * Math.log10(255.0 * 255.0 / Math.max(mse, 1e-12));
            psnr.add(p);
            psnrByCamera.computeIfAbsent(camera, k -> new ArrayList<>()).add(p);
            float[] n = new float[clean.length];
            for (int i = 0; i < n.length; i++) n[i] = 255f * (noisy[i] - clean[i]);
            // residuals are centred per image and channel so that a brightness offset does not count as correlation
            double[] mu = new double[3];
            for (int i = 0; i < n.length; i++) mu[i % 3] += n[i];
            for (int c = 0; c < 3; c++) mu[c] /= h * w;
            for (int i = 0; i < n.length; i++) n[i] -= (float) mu[i % 3];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int o = 3 * (y * w + x);
                    for (int c = 0; c < 3; c++) {
                        int b = Math.min(BINS - 1, (int) (clean[o + c] * BINS));
                        binSum[b] += n[o + c];
                        binSq[b] += n[o + c] * n[o + c];
                        binN[b]++;
                        if (x + 1 < w) {
                            hxy += n[o + c] * n[o + 3 + c];
                            hxx += n[o + c] * n[o + c];
                            hyy += n[o + 3 + c] * n[o + 3 + c];
                        }
                    }
                    double r = n[o], g = n[o + 1], bl = n[o + 2];
                    rg += r * g;
                    gb += g * bl;
                    rb += r * bl;
                    rr += r * r;
                    gg += g * g;
                    bb += bl * bl;
                }
            }
        }

        void print(String label, Stats real) {
            double[] s = psnr.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "%s%n  input PSNR over %d images: mean %.2f dB, min %.2f, p5 %.2f, p25 %.2f, median %.2f, p75 %.2f, p95 %.2f, max %.2f%n",
                    label, s.length, Arrays.stream(s).average().orElse(0), s[0], q(s, .05), q(s, .25), q(s, .5), q(s, .75), q(s, .95), s[s.length - 1]);
            StringBuilder cams = new StringBuilder("  by camera:");
            psnrByCamera.forEach((k, v) -> cams.append(String.format(Locale.ROOT, " %s %.2f (%.2f-%.2f)", k,
                    v.stream().mapToDouble(Double::doubleValue).average().orElse(0),
                    v.stream().mapToDouble(Double::doubleValue).min().orElse(0), v.stream().mapToDouble(Double::doubleValue).max().orElse(0))));
            System.out.println(cams);
            if (real != null) {
                double lo = real.psnr.stream().mapToDouble(Double::doubleValue).min().orElse(0);
                double hi = real.psnr.stream().mapToDouble(Double::doubleValue).max().orElse(0);
                System.out.printf(Locale.ROOT, "  outside the real range %.2f-%.2f dB: %.0f%% below, %.0f%% above%n", lo, hi,
                        100.0 * Arrays.stream(s).filter(v -> v < lo).count() / s.length, 100.0 * Arrays.stream(s).filter(v -> v > hi).count() / s.length);
            }
            StringBuilder bins = new StringBuilder("  noise sd (0..255) by clean value bin:");
            for (int b = 0; b < BINS; b++) {
                if (binN[b] < 1000) {
                    bins.append(String.format(Locale.ROOT, " [%d-%d] -", 256 * b / BINS, 256 * (b + 1) / BINS - 1));
                    continue;
                }
                double m = binSum[b] / binN[b];
                bins.append(String.format(Locale.ROOT, " [%d-%d] %.2f", 256 * b / BINS, 256 * (b + 1) / BINS - 1, Math.sqrt(binSq[b] / binN[b] - m * m)));
            }
            System.out.println(bins);
            System.out.printf(Locale.ROOT, "  correlation: horizontal neighbours %.3f; channels R-G %.3f, G-B %.3f, R-B %.3f%n",
                    hxy / Math.sqrt(hxx * hyy), rg / Math.sqrt(rr * gg), gb / Math.sqrt(gg * bb), rb / Math.sqrt(rr * bb));
        }

        static double q(double[] s, double p) { return s[(int) Math.min(s.length - 1, Math.round(p * (s.length - 1)))]; }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: CameraNoiseStats POLYU_DIR SEEDS [SPEC...]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int seeds = Integer.parseInt(args[1]);
        List<Pair> pairs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path real : files.filter(p -> p.getFileName().toString().endsWith("_real.JPG")).sorted().toList()) {
                String name = real.getFileName().toString().replace("_real.JPG", "");
                BufferedImage a = ImageIO.read(real.toFile()), b = ImageIO.read(dir.resolve(name + "_mean.JPG").toFile());
                pairs.add(new Pair(name, rgb(a), rgb(b), a.getHeight(), a.getWidth()));
            }
        }
        Stats real = new Stats();
        for (Pair p : pairs) real.add(camera(p.name), p.real, p.mean, p.h, p.w);
        real.print("real noise (" + pairs.size() + " PolyU pairs)", null);
        for (int s = 2; s < args.length; s++) {
            NoiseModel model = NoiseModel.parse(args[s]).withQuantize8(true);
            Stats syn = new Stats();
            for (int i = 0; i < pairs.size(); i++) {
                Pair p = pairs.get(i);
                for (int k = 0; k < seeds; k++) {
                    float[] x = p.mean.clone();
                    model.applyInPlace(x, 0, p.h, p.w, 3, NoiseModel.imageSeed(k, i));
                    syn.add(camera(p.name), x, p.mean, p.h, p.w);
                }
            }
            syn.print("synthetic " + model + " on the clean images, " + seeds + " seed(s) each", real);
        }
    }

    static String camera(String name) { return name.substring(0, name.indexOf('_')); }

    static float[] rgb(BufferedImage img) {
        int h = img.getHeight(), w = img.getWidth();
        float[] out = new float[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = img.getRGB(x, y), o = 3 * (y * w + x);
                out[o] = ((v >> 16) & 255) / 255f;
                out[o + 1] = ((v >> 8) & 255) / 255f;
                out[o + 2] = (v & 255) / 255f;
            }
        }
        return out;
    }
}
