package io.hush.examples;

import io.hush.denoise.Denoiser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class DenoiseFolderTest {
    @TempDir Path tmp;

    @Test
    void denoisesEveryImageAndReportsTheOneThatIsNot() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in")), out = tmp.resolve("out");
        for (int i = 0; i < 5; i++) Files.write(in.resolve("img" + i + ".png"), DenoiseServiceTest.png(i));
        Files.writeString(in.resolve("notes.txt"), "not an image");
        Path model = Path.of(System.getProperty("hush.weights", "../weights"), "gray-blind.hush");
        assertEquals(1, DenoiseFolder.run(model, in, out, 3));
        try (Denoiser d = Denoiser.open(model)) {
            for (int i = 0; i < 5; i++) {
                Path f = out.resolve("img" + i + ".png");
                assertTrue(Files.exists(f), f.toString());
                int[] expect = DenoiseServiceTest.pixels(d.denoise(ImageIO.read(new ByteArrayInputStream(DenoiseServiceTest.png(i)))));
                assertArrayEquals(expect, DenoiseServiceTest.pixels(ImageIO.read(f.toFile())), f.toString());
            }
        }
        assertFalse(Files.exists(out.resolve("notes.png")));
    }

    @Test
    void missingFolderIsAnError() {
        assertThrows(IOException.class, () -> DenoiseFolder.run(Path.of("../weights/gray-blind.hush"), tmp.resolve("nope"), tmp.resolve("o"), 1));
    }
}
