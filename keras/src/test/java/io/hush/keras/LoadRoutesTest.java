package io.hush.keras;

import io.hush.denoise.Denoiser;
import io.hush.engine.Model;
import io.hush.engine.io.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Keras files reach the engine's generic entry points: Model.load(Path), Model.load(byte[]), Denoiser.open. */
class LoadRoutesTest {
    @TempDir Path dir;

    @Test
    void modelLoadAndDenoiserOpenReadKerasFilesByContent() throws Exception {
        Path src = ColourSparkTest.file();
        float[] x = new float[96 * 96];
        for (int i = 0; i < x.length; i++) x[i] = (i % 97) / 96f;
        float[] direct;
        try (Model m = new KerasImporter().load(src)) {
            direct = m.predict(x, 1);
        }
        // a file named without its extension is still found by its first bytes (a zip)
        Path renamed = Files.copy(src, dir.resolve("model.bin"));
        for (Model m : new Model[] {Model.load(src), Model.load(renamed), Model.load(Files.readAllBytes(src), "bytes")}) {
            try (m) {
                assertArrayEquals(direct, m.predict(x, 1));
            }
        }
        // the colourisation autoencoder maps gray to RGB: Denoiser.open reads it, then says why it is no denoiser
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Denoiser.open(src));
        assertTrue(e.getMessage().contains("channel"), e.getMessage());
    }

    @Test
    void aFileNoImporterReadsNamesItself() throws Exception {
        Path junk = Files.write(dir.resolve("weights.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(junk));
        assertTrue(e.getMessage().contains("weights.bin"), e.getMessage());
    }
}
