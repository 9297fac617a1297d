package io.hush.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.hush.data.Images;
import io.hush.image.FloatImage;
import io.hush.noise.NoiseModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code hush noise --type camera}: documented, laid out on the image's own grid, seeded. */
class NoiseCameraTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheCameraNoiseAndItsParameters() {
        Cli.Result r = Cli.run("noise", "--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("camera:shot=0.0002-0.004,jpeg=80-95,mosaic=noise"), r.out());
        for (String key : new String[] {"shot ", "jpeg ", "mosaic "}) assertTrue(r.out().contains(key), key + "\n" + r.out());
    }

    @Test
    void cameraNoiseOnAnRgbImageIsChannelCorrelatedAndSeeded() throws IOException {
        // not square (48x32): the Bayer mosaic needs the real grid, which the flat noise call cannot know
        Path clean = dir.resolve("clean.png");
        Images.write(clean, EvalPairedTest.rgb(48, 32, 2), Images.Format.PNG, 8);
        Path a = dir.resolve("a.png"), b = dir.resolve("b.png"), c = dir.resolve("c.png");
        String spec = "camera:shot=0.002,jpeg=off";
        assertEquals(0, Cli.run("noise", clean.toString(), a.toString(), "--type", spec, "--seed", "3").code());
        assertEquals(0, Cli.run("noise", clean.toString(), b.toString(), "--type", spec, "--seed", "3").code());
        assertEquals(0, Cli.run("noise", clean.toString(), c.toString(), "--type", spec, "--seed", "4").code());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "same seed, same file");
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)), "another seed, other noise");

        FloatImage x = Images.read(clean), y = Images.read(a);
        assertEquals(3, y.channels());
        // the file holds the noise laid out on the 48x32 grid: what NoiseModel gives with the grid, rounded to 8 bits
        float[] expect = x.toHwc(), got = y.toHwc();
        NoiseModel.parse(spec).applyInPlace(expect, 0, 32, 48, 3, 3);
        for (int i = 0; i < got.length; i++) {
            assertEquals(Math.round(Math.clamp(expect[i], 0f, 1f) * 255), Math.round(got[i] * 255), 1, "value " + i);
        }
        // channel-correlated: the raw noise of one Bayer site reaches all three channels through demosaicing and the
        // colour correction, whose negative off-diagonal terms make R and G noise anti-correlated (about -0.4 here)
        double corr = noiseCorrelation(x, y, 0, 1);
        assertTrue(Math.abs(corr) > 0.2, "R and G noise correlation " + corr);

        Cli.Result dflt = Cli.run("noise", clean.toString(), dir.resolve("d.png").toString(), "--type", "camera");
        assertEquals(0, dflt.code(), dflt.toString());
    }

    /** Pearson correlation of the noise (noisy - clean) of planes {@code c1} and {@code c2}, from one pass of sums. */
    static double noiseCorrelation(FloatImage clean, FloatImage noisy, int c1, int c2) {
        float[] x1 = clean.plane(c1), y1 = noisy.plane(c1), x2 = clean.plane(c2), y2 = noisy.plane(c2);
        double s1 = 0, s2 = 0, s11 = 0, s22 = 0, s12 = 0;
        int n = x1.length;
        for (int i = 0; i < n; i++) {
            double u = y1[i] - x1[i], v = y2[i] - x2[i];
            s1 += u;
            s2 += v;
            s11 += u * u;
            s22 += v * v;
            s12 += u * v;
        }
        return (n * s12 - s1 * s2) / Math.sqrt((n * s11 - s1 * s1) * (n * s22 - s2 * s2));
    }
}
