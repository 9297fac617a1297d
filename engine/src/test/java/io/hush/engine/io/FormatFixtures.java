package io.hush.engine.io;

import io.hush.engine.Model;
import io.hush.engine.ModelCard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes the files in engine/src/test/resources/formats/ that {@link OldFormatsTest} must keep loading. Run it only
 * deliberately, when the format version changes or gains a data type (only missing files are written):
 * <pre>
 *   mvn -q -B -pl engine test -Dtest=FormatFixtures -Dhush.writeFormatFixtures=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * For each model it writes {@code NAME.hush} and {@code NAME.expected}: the output (one float per line, "%a" hex so
 * it is exact) of {@link #input} through the model at the time of writing.
 */
class FormatFixtures {
    static final Path DIR = Path.of(System.getProperty("user.dir")).resolve("src/test/resources/formats");

    /** The deterministic input the expected outputs were made from: batch 1 of the model's input shape. */
    static float[] input(Model m) {
        float[] x = new float[Math.toIntExact(m.inputShape().size())];
        for (int i = 0; i < x.length; i++) x[i] = ((i * 37) % 101) / 101f - 0.5f;
        return x;
    }

    static ModelCard card(String name) {
        return new ModelCard().name(name).description("format fixture written by Hush " + HushFormat.hushVersion())
                .input(ModelCard.InputContract.anySize(1, 1, 0f, 1f))
                .noise(ModelCard.Noise.gaussianRange(0f, 55f / 255))
                .training(new ModelCard.Training("adam lr=1e-3 batch=8", "synthetic", 2, 100, 7, "mse"))
                .metric(new ModelCard.Metric("PSNR", "Set12", 25f / 255, 30.25))
                .metric(new ModelCard.Metric("SSIM", "Set12", 25f / 255, 0.875))
                .created(Instant.parse("2026-11-25T08:00:00Z"));
    }

    @Test
    @EnabledIfSystemProperty(named = "hush.writeFormatFixtures", matches = "true")
    void write() throws IOException {
        Files.createDirectories(DIR);
        try (Model m = SeedModels.everyForm()) {
            m.card().copyFrom(card("v1-every-form"));
            m.metadata().put("fixture", "every setting form");
            write(m, "v1-every-form", Storage.FLOAT32);
        }
        try (Model m = SeedModels.residual()) {
            m.card().copyFrom(card("v1-residual-f16"));
            write(m, "v1-residual-f16", Storage.FLOAT16);
        }
        try (Model m = Q4StorageTest.dense()) {
            m.card().copyFrom(card("v1-dense-q4"));
            write(m, "v1-dense-q4", Storage.Q4);
        }
    }

    /** Writes a fixture that does not exist yet; existing ones are never rewritten (they are what old versions wrote). */
    private static void write(Model m, String name, Storage storage) throws IOException {
        Path f = DIR.resolve(name + HushFormat.EXTENSION);
        if (Files.exists(f)) return;
        HushFormat.save(m, f, storage);
        try (Model loaded = Model.load(f)) { // expected output of what the file holds (float16 rounding included)
            List<String> lines = new ArrayList<>();
            for (float v : RoundTripTest.run(loaded, input(loaded), 1)) lines.add(String.format(Locale.ROOT, "%a", v));
            Files.write(DIR.resolve(name + ".expected"), lines);
        }
    }
}
