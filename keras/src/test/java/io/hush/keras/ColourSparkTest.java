package io.hush.keras;

import io.hush.engine.Model;
import io.hush.engine.ModelCard;
import io.hush.engine.Shape;
import io.hush.engine.io.ImportOptions;
import io.hush.engine.io.ModelImporter;
import io.hush.engine.io.ModelImporters;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real Keras 3.3.3 file in ../shared/keras (a colourisation autoencoder, MIT; see its README) loads directly and
 * through the {@link ModelImporters} lookup, and computes what the numpy reference computes from the same file.
 */
class ColourSparkTest {
    @TempDir Path dir;

    static Path file() {
        Path p = Fixtures.colourspark();
        if (Boolean.getBoolean("hush.requireData") && !Files.exists(p)) {
            throw new AssertionError("the shared Keras file is not at " + p + " (hush.requireData=true)");
        }
        Assumptions.assumeTrue(Files.exists(p), "the shared Keras file is not at " + p);
        return p;
    }

    /** The synthetic gray ramp tools/keras/make_fixtures.py --colourspark used. */
    static float[] ramp() {
        float[] x = new float[96 * 96];
        for (int i = 0; i < 96; i++) for (int j = 0; j < 96; j++) x[i * 96 + j] = (float) (((i * 7 + j * 3) % 96) / 95.0);
        return x;
    }

    static void assertGolden(Model m) throws Exception {
        float[] y = Fixtures.run(m, ramp(), 1, 96, 96, 1);
        Fixtures.Npy want = Fixtures.npy("colourspark.output-every8.npy");
        float[] sub = new float[want.data().length];
        int k = 0;
        for (int i = 0; i < 96; i += 8) for (int j = 0; j < 96; j += 8) for (int c = 0; c < 3; c++) sub[k++] = y[(i * 96 + j) * 3 + c];
        double d = Fixtures.maxRelDiff(want.data(), sub);
        assertTrue(d < KerasFixturesTest.TOL, "max relative difference to the numpy golden " + d);
    }

    @Test
    void loadsAndRunsLikeTheNumpyReference() throws Exception {
        try (Model m = KerasImporter.read(file())) {
            assertEquals(Shape.of(96, 96, 1), m.inputShape());
            assertEquals(Shape.of(96, 96, 3), m.outputShape());
            assertEquals(List.of("Conv2D", "MaxPool2D", "Conv2D", "MaxPool2D", "Conv2D", "UpSampling2D", "Conv2D", "UpSampling2D",
                    "Conv2D"), KerasFixturesTest.types(m));
            assertEquals("leaky_relu(0.3)", ((io.hush.engine.layers.Conv2D) m.nodes().get(1).layer()).activation().toString());
            assertGolden(m);
            ModelCard c = m.card();
            assertEquals("functional_1", c.name());
            assertEquals(new ModelCard.InputContract(1, false, 96, 96, 0, 0f, 1f, "gray"), c.input());
            assertEquals("colourspark-autoencoder.keras", c.extra().get("source"));
            assertEquals("3.3.3", c.extra().get("keras_version"));
            assertTrue(c.description().contains("imported from colourspark-autoencoder.keras"), c.description());
        }
    }

    @Test
    void theLookupFindsTheImporterByExtension() throws Exception {
        Path f = file();
        assertTrue(ModelImporters.handles(f));
        ModelImporter imp = ModelImporters.forFile(f).orElseThrow();
        assertInstanceOf(KerasImporter.class, imp);
        assertEquals(List.of(".keras", ".h5", ".hdf5"), imp.extensions());
        assertTrue(imp.accepts(Files.readAllBytes(f)));
        try (Model m = ModelImporters.load(f, ImportOptions.DEFAULT.withInputRange(0f, 255f))) {
            assertEquals(9, m.nodes().size() - 1);
            assertEquals(255f, m.card().input().valueMax()); // --input-range
        }
        try (Model m = ModelImporters.load(Fixtures.bytes("k3_legacy.h5"), "k3_legacy.h5", ImportOptions.DEFAULT)) {
            assertEquals(Shape.of(2), m.outputShape());
        }
    }

    @Test
    void convertsToANativeFileThatRecordsTheSource() throws Exception {
        Path out = dir.resolve("colourspark.hush");
        try (Model m = KerasImporter.read(file())) {
            m.save(out); // what `hush convert model.keras model.hush` does after the import
            try (Model r = Model.load(out)) {
                assertEquals("colourspark-autoencoder.keras", r.card().extra().get("source"));
                assertEquals("keras", r.card().extra().get("source_format"));
                assertEquals(m.card().input(), r.card().input());
                assertEquals(KerasFixturesTest.types(m), KerasFixturesTest.types(r));
                // same graph and bit-identical parameters: the native file computes exactly what the import does
                for (int k = 0; k < m.params().size(); k++) {
                    assertArrayEquals(m.params().get(k).value.toArray(), r.params().get(k).value.toArray(), m.params().get(k).name);
                }
            }
        }
        byte[] once = Files.readAllBytes(out);
        assertArrayEquals(java.util.Arrays.copyOf(once, 8), new byte[] {(byte) 0x89, 'H', 'U', 'S', 'H', '\r', '\n', 0x1A});
    }
}
