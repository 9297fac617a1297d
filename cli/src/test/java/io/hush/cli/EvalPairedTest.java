package io.hush.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.hush.data.Images;
import io.hush.image.FloatImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/** {@code hush eval} on real noisy/clean pairs, its CSV and lowest-ISO summary, and the colour baseline. */
class EvalPairedTest {
    @TempDir
    Path dir;

    /** A smooth RGB image with some texture, 8-bit values. */
    static FloatImage rgb(int w, int h, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] p = new float[3][w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double v = 0.5 + 0.3 * Math.sin(x * 0.13 + c) * Math.cos(y * 0.09) + 0.05 * rng.nextDouble();
                    p[c][y * w + x] = Math.round(v * 255) / 255f;
                }
            }
        }
        return new FloatImage(w, h, p, null, 8);
    }

    /** {@code clean} plus uniform noise of +-amp, 8-bit. */
    static FloatImage noisy(FloatImage clean, double amp, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] p = new float[clean.channels()][];
        for (int c = 0; c < p.length; c++) {
            p[c] = clean.plane(c).clone();
            for (int i = 0; i < p[c].length; i++) {
                p[c][i] = Math.round(Math.clamp(p[c][i] + amp * (2 * rng.nextDouble() - 1), 0, 1) * 255) / 255f;
            }
        }
        return clean.withPlanes(p);
    }

    /** PSNR over all channels (peak 1) of {@code out} clipped to [0,1] against {@code clean}, computed here. */
    static double psnr(FloatImage clean, FloatImage out) {
        double se = 0;
        long n = 0;
        for (int c = 0; c < clean.channels(); c++) {
            for (int i = 0; i < clean.plane(c).length; i++) {
                double d = clean.plane(c)[i] - Math.clamp(out.plane(c)[i], 0f, 1f);
                se += d * d;
                n++;
            }
        }
        return 10 * Math.log10(n / se);
    }

    /** Writes pairs NAME_real.png / NAME_mean.png into {@code folder}; returns the mean noisy PSNR and the 0.5x+0.25 one. */
    static double[] writeSuffixedPairs(Path folder, List<String> names) throws IOException {
        double noisySum = 0, halveSum = 0;
        for (int i = 0; i < names.size(); i++) {
            FloatImage clean = rgb(24, 20, i), noisy = noisy(clean, 0.1 + 0.05 * i, 10 + i);
            Images.write(folder.resolve(names.get(i) + "_mean.png"), clean, Images.Format.PNG, 8);
            Images.write(folder.resolve(names.get(i) + "_real.png"), noisy, Images.Format.PNG, 8);
            // read back, as eval does
            FloatImage c = Images.read(folder.resolve(names.get(i) + "_mean.png")), n = Images.read(folder.resolve(names.get(i) + "_real.png"));
            noisySum += psnr(c, n);
            float[][] h = new float[3][];
            for (int k = 0; k < 3; k++) {
                h[k] = n.plane(k).clone();
                for (int j = 0; j < h[k].length; j++) h[k][j] = 0.5f * h[k][j] + 0.25f;
            }
            halveSum += psnr(c, n.withPlanes(h));
        }
        return new double[] {noisySum / names.size(), halveSum / names.size()};
    }

    /** The PSNR column of the table row starting with {@code label}. */
    static double psnrOf(Cli.Result r, String label) {
        String line = r.out().lines().filter(l -> l.startsWith(label + " ")).findFirst().orElseThrow(() -> new AssertionError(label + "\n" + r));
        String[] f = line.substring(label.length()).trim().split("\\s+");
        return Double.parseDouble(f[0]);
    }

    @Test
    void pairedFolderScoresTheRealNoiseAndWritesACsv() throws IOException {
        Path data = Files.createDirectory(dir.resolve("pairs"));
        double[] expect = writeSuffixedPairs(data, List.of("b", "a"));
        Path csv = dir.resolve("scores.csv");
        Cli.Result r = Cli.run("eval", "--data", data.toString(), "--model", Cli.pointwiseModel(dir).toString(),
                "--baselines", "none", "-o", "none", "--csv", csv.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(expect[0], psnrOf(r, "noisy input"), 0.006, r.toString());
        // a gray model on RGB pairs runs per channel, and its row says so
        assertEquals(expect[1], psnrOf(r, "halve (model, per channel)"), 0.006, r.toString());
        assertTrue(r.out().contains("2 real noisy/clean pair(s)"), r.toString());
        assertFalse(r.out().contains("lowest-ISO"), "names a and b are not camera_x_y_ISO_...\n" + r);

        List<String> lines = Files.readAllLines(csv);
        assertEquals("name,method,psnr,ssim", lines.get(0));
        assertEquals(1 + 2 * 2, lines.size(), lines.toString());
        assertTrue(lines.get(1).startsWith("a,noisy,") && lines.get(2).startsWith("a,halve,") && lines.get(3).startsWith("b,noisy,"), lines.toString());
        double csvNoisy = (Double.parseDouble(lines.get(1).split(",")[2]) + Double.parseDouble(lines.get(3).split(",")[2])) / 2;
        assertEquals(expect[0], csvNoisy, 1e-4);
        double ssim = Double.parseDouble(lines.get(2).split(",")[3]);
        assertTrue(ssim > 0 && ssim <= 1, lines.get(2));

        // the same pairs as noisy/ and clean/ sub-folders, or as --noisy/--clean, give the same scores
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path nd = Files.createDirectory(sub.resolve("noisy")), cd = Files.createDirectory(sub.resolve("clean"));
        for (String n : List.of("a", "b")) {
            Files.copy(data.resolve(n + "_real.png"), nd.resolve(n + ".png"));
            Files.copy(data.resolve(n + "_mean.png"), cd.resolve(n + ".png"));
        }
        Cli.Result r2 = Cli.run("eval", "--data", sub.toString(), "--baselines", "none", "-o", "none", "--model", "classic:identity");
        assertEquals(0, r2.code(), r2.toString());
        assertEquals(expect[0], psnrOf(r2, "identity (model)"), 0.006, r2.toString());
        Cli.Result r3 = Cli.run("eval", "--noisy", nd.toString(), "--clean", cd.toString(), "--baselines", "none", "-o", "none",
                "--model", "classic:identity");
        assertEquals(0, r3.code(), r3.toString());
        assertEquals(psnrOf(r2, "noisy input"), psnrOf(r3, "noisy input"), 1e-9);
    }

    @Test
    void lowestIsoQuarterOfPolyuStyleNames() throws IOException {
        Path data = Files.createDirectory(dir.resolve("polyu"));
        List<String> names = List.of("Cam_5_160_3200_chair_1", "Cam_5_160_800_desk_2", "Cam_3-5_125_1600_wall_3",
                "Cam_5_160_6400_room_4", "Cam_5_160_12800_sky_5");
        writeSuffixedPairs(data, names);
        Path csv = dir.resolve("p.csv");
        Cli.Result r = Cli.run("eval", "--data", data.toString(), "--baselines", "median", "-o", "none", "--csv", csv.toString(),
                "--model", "classic:identity");
        assertEquals(0, r.code(), r.toString());
        // ceil(5/4) = 2 images: ISO 800 and 1600
        assertTrue(r.out().contains("lowest-ISO quarter: 2 of 5 image(s), ISO 800-1600"), r.toString());
        double want = 0;
        for (String line : Files.readAllLines(csv)) {
            if (line.contains(",noisy,") && (line.startsWith("Cam_5_160_800_") || line.startsWith("Cam_3-5_125_1600_"))) {
                want += Double.parseDouble(line.split(",")[2]) / 2;
            }
        }
        String row = r.out().lines().filter(l -> l.startsWith("  noisy input")).findFirst().orElseThrow();
        assertEquals(want, Double.parseDouble(row.trim().split("\\s+")[2]), 0.006, r.toString());
        assertTrue(r.out().contains("  median (classical, per channel)"), r.toString());
        assertTrue(r.out().contains("  identity (model)"), r.toString());
    }

    @Test
    void isoParsingAndTies() {
        assertEquals(3200, EvalCommand.iso("Canon5D2_5_160_3200_chair_11"));
        assertEquals(1600, EvalCommand.iso("Sony_3-5_200_1600_classroom_10.JPG"));
        assertEquals(-1, EvalCommand.iso("kodim01.png"));
        assertEquals(-1, EvalCommand.iso("a_b_c_d"));
        // 8 names: the lowest two are ISO 50 (d, index 4), then ISO 100 ties broken by name: a (index 2)
        assertArrayEquals(new int[] {4, 2}, EvalCommand.lowestIsoQuarter(List.of("z_1_1_100_s", "c_1_1_400_s", "a_1_1_100_s",
                "b_1_1_100_s", "d_1_1_50_s", "e_1_1_800_s", "f_1_1_900_s", "g_1_1_900_s")));
        assertNull(EvalCommand.lowestIsoQuarter(List.of("a_1_1_100_s", "kodim01.png")));
    }

    @Test
    void pairingProblemsAreClearErrors() throws IOException {
        Path data = Files.createDirectory(dir.resolve("bad"));
        writeSuffixedPairs(data, List.of("a"));
        Images.write(data.resolve("b_real.png"), rgb(24, 20, 3), Images.Format.PNG, 8);
        Images.write(data.resolve("c.png"), rgb(24, 20, 4), Images.Format.PNG, 8);
        Cli.Result r = Cli.run("eval", "--data", data.toString(), "--baselines", "none", "-o", "none");
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("2 unpaired file(s): b_real.png (no b_mean), c.png (neither _real nor _mean)"), r.toString());

        Path ok = Files.createDirectory(dir.resolve("ok"));
        writeSuffixedPairs(ok, List.of("a"));
        Cli.Result withNoise = Cli.run("eval", "--data", ok.toString(), "--noise", "gaussian:25", "-o", "none");
        assertEquals(2, withNoise.code(), withNoise.toString());
        assertTrue(withNoise.err().contains("--noise: " + ok + " holds real noisy/clean pairs"), withNoise.toString());

        Path cleanOnly = Files.createDirectory(dir.resolve("cleanonly"));
        Images.write(cleanOnly.resolve("x.png"), rgb(24, 20, 5), Images.Format.PNG, 8);
        Cli.Result noNoise = Cli.run("eval", "--data", cleanOnly.toString(), "-o", "none");
        assertEquals(2, noNoise.code(), noNoise.toString());
        assertTrue(noNoise.err().contains("--noise is required"), noNoise.toString());

        Path sizes = Files.createDirectory(dir.resolve("sizes"));
        Images.write(sizes.resolve("a_real.png"), rgb(24, 20, 6), Images.Format.PNG, 8);
        Images.write(sizes.resolve("a_mean.png"), rgb(24, 18, 6), Images.Format.PNG, 8);
        Cli.Result mismatch = Cli.run("eval", "--data", sizes.toString(), "-o", "none", "--baselines", "none");
        assertEquals(1, mismatch.code(), mismatch.toString());
        assertTrue(mismatch.err().contains("1 pair(s) whose noisy and clean images differ in size: a (noisy 24x20, clean 24x18)"),
                mismatch.toString());

        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path en = Files.createDirectory(empty.resolve("noisy"));
        Files.createDirectory(empty.resolve("clean"));
        Cli.Result none = Cli.run("eval", "--data", empty.toString(), "-o", "none");
        assertEquals(1, none.code(), none.toString());
        assertTrue(none.err().contains(en + ": no image files"), none.toString());

        Cli.Result half = Cli.run("eval", "--noisy", en.toString(), "-o", "none");
        assertEquals(2, half.code(), half.toString());
        assertTrue(half.err().contains("--noisy and --clean go together"), half.toString());
    }

    @Test
    void colourBaselineRunsOnColourDataOnly() throws IOException {
        Path colour = Files.createDirectory(dir.resolve("colour")), gray = Files.createDirectory(dir.resolve("gray"));
        Images.write(colour.resolve("c.png"), rgb(32, 32, 1), Images.Format.PNG, 8);
        Images.write(gray.resolve("g.png"), Cli.gray(32, 32, 1), Images.Format.PNG, 8);
        Cli.Result c = Cli.run("eval", "--data", colour.toString(), "--noise", "gaussian:25+clip+q8", "-o", "none", "--model", "classic:identity");
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("cnlm (classical) ") && c.out().contains("nlm (classical, per channel)"), c.toString());
        assertTrue(psnrOf(c, "cnlm (classical)") > psnrOf(c, "noisy input") + 3, c.toString());
        Cli.Result g = Cli.run("eval", "--data", gray.toString(), "--noise", "gaussian:25", "-o", "none", "--model", "classic:identity");
        assertEquals(0, g.code(), g.toString());
        assertFalse(g.out().contains("cnlm"), g.toString());
        assertTrue(g.out().contains("nlm (classical) "), g.toString());
        Cli.Result named = Cli.run("eval", "--data", gray.toString(), "--noise", "gaussian:25", "-o", "none", "--baselines", "cnlm");
        assertEquals(0, named.code(), named.toString());
        assertTrue(named.out().contains("cnlm (classical)"), named.toString());
    }

    @Test
    void helpNamesEveryModelFormat() {
        Cli.Result r = Cli.run("eval", "--help");
        assertEquals(0, r.code());
        String flat = r.out().replaceAll("\\s+", ""); // help lines wrap anywhere
        assertTrue(flat.contains(".hush,.onnx,orKeras.keras/.h5"), r.out());
        assertTrue(flat.contains("--csv") && flat.contains("lowest-ISOquarter") && flat.contains("--noisy"), r.out());
        assertEquals(String.format(Locale.ROOT, "\"a,b\""), EvalCommand.csvField("a,b"));
    }
}
