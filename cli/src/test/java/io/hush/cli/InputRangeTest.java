package io.hush.cli;

import io.hush.data.Images;
import io.hush.engine.Model;
import io.hush.engine.layers.Scale;
import io.hush.image.FloatImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** --input-range overrides the model card's value range in denoise, eval's model loading, info and convert. */
class InputRangeTest {
    @TempDir Path dir;

    /** y = x + 10: on 0..1 everything saturates; on 0..255 a pixel of 51 becomes 61. */
    Path plusTen() throws Exception {
        Path f = dir.resolve("plus10.hush");
        try (Model m = Model.builder(8, 8, 1).add(new Scale(1f, 10f)).build()) {
            m.save(f);
        }
        return f;
    }

    @Test
    void denoiseMapsPixelsIntoTheGivenRange() throws Exception {
        Path model = plusTen(), in = dir.resolve("in.png");
        float[] p = new float[16 * 16];
        java.util.Arrays.fill(p, 51 / 255f);
        Images.write(in, FloatImage.gray(16, 16, p), Images.Format.PNG);
        Cli.Result def = Cli.run("denoise", "-q", in.toString(), "-o", dir.resolve("a.png").toString(), "--model", model.toString());
        assertEquals(0, def.code(), def.toString());
        assertEquals(1f, Images.read(dir.resolve("a.png")).plane(0)[0], 1e-6f);
        Cli.Result r = Cli.run("denoise", "-q", in.toString(), "-o", dir.resolve("b.png").toString(), "--model", model.toString(),
                "--input-range", "0,255");
        assertEquals(0, r.code(), r.toString());
        assertEquals(61, Math.round(Images.read(dir.resolve("b.png")).plane(0)[0] * 255));
    }

    @Test
    void convertRecordsTheRangeAndInfoShowsIt() throws Exception {
        Path model = plusTen(), out = dir.resolve("ranged.hush");
        Cli.Result c = Cli.run("convert", "-q", model.toString(), out.toString(), "--input-range", "0,255");
        assertEquals(0, c.code(), c.toString());
        try (Model m = Model.load(out)) {
            assertEquals(255f, m.card().input().valueMax());
            assertEquals(0f, m.card().input().valueMin());
        }
        Cli.Result i = Cli.run("info", model.toString(), "--input-range", "-1,1");
        assertEquals(0, i.code(), i.toString());
        assertTrue(i.out().contains("-1.0..1.0"), i.out());
    }

    @Test
    void aBadRangeIsAUsageError() throws Exception {
        Cli.Result r = Cli.run("info", plusTen().toString(), "--input-range", "5,1");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--input-range 5,1"), r.err());
    }
}
