package io.hush.cli;

import io.hush.image.FloatImage;
import io.hush.data.Images;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What {@code hush denoise} accepts and writes: formats, depths, channels, alpha, folders, globs, sigma. */
class DenoiseTest {
    @TempDir Path dir;
    Path model, in, out;

    @BeforeEach
    void setUp() throws IOException {
        model = Cli.pointwiseModel(Files.createDirectory(dir.resolve("models"))); // y = 0.5 x + 0.25
        in = Files.createDirectory(dir.resolve("in"));
        out = Files.createDirectory(dir.resolve("out"));
    }

    @Test
    void sixteenBitRgbWithAlphaKeepsDepthAndAlpha() throws IOException {
        int w = 33, h = 21, n = w * h;
        float[][] p = new float[3][n];
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            p[0][i] = i / (float) n;
            p[1][i] = 1 - i / (float) n;
            p[2][i] = 0.3f;
            a[i] = (i % 7) / 6f;
        }
        Path src = in.resolve("rgba16.png");
        Images.write(src, new FloatImage(w, h, p, a, 16), Images.Format.PNG);
        Path dst = out.resolve("r.tif");
        Cli.Result r = Cli.run("denoise", src.toString(), "-o", dst.toString(), "-m", model.toString());
        assertEquals(0, r.code(), r.toString());
        FloatImage o = Images.read(dst);
        assertEquals(16, o.bitDepth());
        assertEquals(3, o.channels());
        assertTrue(o.hasAlpha());
        assertArrayEquals(a, o.alpha(), 1f / 65535);
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < n; i += 37) assertEquals(0.5f * p[c][i] + 0.25f, o.plane(c)[i], 2f / 65535, "channel " + c);
        }
        assertTrue(r.out().contains("RGB+alpha 16-bit"), r.toString());
    }

    @Test
    void globsAndFoldersKeepNamesAndFormats() throws IOException {
        Cli.writeGray(in.resolve("a.png"), 20, 20);
        Cli.writeGray(in.resolve("b.tif"), 20, 20);
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(20, 20, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "bmp", in.resolve("c.bmp").toFile());
        Files.writeString(in.resolve("notes.txt"), "not an image: not picked up by the glob or the folder");
        Cli.Result r = Cli.run("denoise", in + "/*.{png,bmp}", "-o", out.toString(), "-m", model.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of("a.png", "c.png"), Cli.files(out));
        Cli.Result r2 = Cli.run("denoise", in.toString(), "-o", out.toString(), "-m", model.toString(), "--overwrite");
        assertEquals(0, r2.code(), r2.toString());
        assertEquals(List.of("a.png", "b.tif", "c.png"), Cli.files(out), "TIFF stays TIFF");
        Cli.Result r3 = Cli.run("denoise", in + "/*.gif", "-o", out.toString(), "-m", model.toString());
        assertEquals(1, r3.code(), r3.toString());
        assertTrue(r3.err().contains("no image files match"), r3.toString());
    }

    @Test
    void inputsAreNeverModified() throws IOException {
        Path a = Cli.writeGray(in.resolve("a.png"), 24, 24);
        byte[] before = Files.readAllBytes(a);
        long mtime = Files.getLastModifiedTime(a).toMillis();
        assertEquals(0, Cli.run("denoise", a.toString(), "-o", out.resolve("a.png").toString(), "-m", model.toString()).code());
        assertArrayEquals(before, Files.readAllBytes(a));
        assertEquals(mtime, Files.getLastModifiedTime(a).toMillis());
        assertEquals(List.of("a.png"), Cli.files(in));
    }

    @Test
    void classicalFiltersEstimateSigmaAndReportIt() throws IOException {
        FloatImage clean = Cli.gray(64, 64, 3);
        float[] noisy = clean.plane(0).clone();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
        for (int i = 0; i < noisy.length; i++) noisy[i] += (float) (rng.nextGaussian() * 20 / 255);
        Path src = in.resolve("n.png");
        Images.write(src, FloatImage.gray(64, 64, noisy), Images.Format.PNG);
        Cli.Result r = Cli.run("denoise", src.toString(), "-o", out.resolve("n.png").toString(), "-m", "classic:nlm",
                "--sigma", "auto");
        assertEquals(0, r.code(), r.toString());
        String s = r.out().replaceAll("(?s).*estimated sigma ([0-9.]+).*", "$1");
        assertEquals(20.0, Double.parseDouble(s), 5.0, r.toString());
        Cli.Result fixed = Cli.run("denoise", src.toString(), "-o", out.resolve("m.png").toString(), "-m", "classic:median",
                "--sigma", "10");
        assertEquals(0, fixed.code(), fixed.toString());
        assertFalse(fixed.out().contains("estimated"), fixed.toString());
        Cli.Result bad = Cli.run("denoise", src.toString(), "-o", out.resolve("x.png").toString(), "-m", "classic:magic");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("unknown classical filter"), bad.toString());
    }

    @Test
    void fixedSizeModelsRefuseOtherSizesUnlessResized() throws IOException {
        Path fixed = Cli.fixedModel(dir.resolve("models"));
        Path src = Cli.writeGray(in.resolve("big.png"), 20, 16);
        Cli.Result r = Cli.run("denoise", src.toString(), "-o", out.resolve("a.png").toString(), "-m", fixed.toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("big.png") && r.err().contains("takes 8x8 images only") && r.err().contains("--resize"),
                r.toString());
        assertEquals(List.of(), Cli.files(out));
        Cli.Result ok = Cli.run("denoise", src.toString(), "-o", out.resolve("a.png").toString(), "-m", fixed.toString(),
                "--resize");
        assertEquals(0, ok.code(), ok.toString());
        FloatImage o = Images.read(out.resolve("a.png"));
        assertEquals(20, o.width());
        assertEquals(16, o.height());
    }

    @Test
    void tilingOptionsAreHonoured() throws IOException {
        Path src = Cli.writeGray(in.resolve("t.png"), 300, 200);
        Path a = out.resolve("a.png"), b = out.resolve("b.png");
        assertEquals(0, Cli.run("denoise", src.toString(), "-o", a.toString(), "-m", model.toString()).code());
        assertEquals(0, Cli.run("denoise", src.toString(), "-o", b.toString(), "-m", model.toString(), "--tile", "64",
                "--overlap", "16", "--threads", "1").code());
        assertTrue(Arrays.equals(Images.read(a).plane(0), Images.read(b).plane(0)), "pointwise model: tiling is exact");
        Cli.Result bad = Cli.run("denoise", src.toString(), "-o", out.resolve("c.png").toString(), "-m", model.toString(),
                "--tile", "32", "--overlap", "40");
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(bad.err().contains("overlap 40 must be smaller than the tile size 32"), bad.toString());
    }
}
