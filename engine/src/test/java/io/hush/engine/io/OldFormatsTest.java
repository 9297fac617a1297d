package io.hush.engine.io;

import io.hush.engine.Model;
import io.hush.engine.ModelCard;
import io.hush.engine.graph.Node;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files written by earlier versions (engine/src/test/resources/formats/, made by {@link FormatFixtures}) keep
 * loading, keep their card, and compute what they computed when written. Outputs are compared with a small
 * tolerance, not bit for bit: kernels may legitimately change their summation order over time.
 */
class OldFormatsTest {
    static Model load(String name) throws Exception {
        try (InputStream in = OldFormatsTest.class.getResourceAsStream("/formats/" + name + ".hush")) {
            assertNotNull(in, name + " is missing from src/test/resources/formats");
            return HushFormat.read(in, name);
        }
    }

    static float[] expected(String name) throws Exception {
        try (InputStream in = OldFormatsTest.class.getResourceAsStream("/formats/" + name + ".expected")) {
            assertNotNull(in, name + ".expected is missing");
            List<Float> v = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank()) v.add(Float.parseFloat(line.trim()));
            }
            float[] a = new float[v.size()];
            for (int i = 0; i < a.length; i++) a[i] = v.get(i);
            return a;
        }
    }

    static void assertComputesAsWritten(Model m, String name) throws Exception {
        float[] want = expected(name);
        float[] got = RoundTripTest.run(m, FormatFixtures.input(m), 1);
        assertEquals(want.length, got.length, name + ": output size");
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= 1e-5 + 1e-4 * Math.abs(want[i]),
                    name + " output[" + i + "]: written " + want[i] + ", now " + got[i]);
        }
    }

    static void assertCard(ModelCard c, String name) {
        assertEquals(name, c.name());
        assertEquals(ModelCard.Noise.gaussianRange(0f, 55f / 255), c.noise());
        assertEquals(ModelCard.InputContract.anySize(1, 1, 0f, 1f), c.input());
        assertEquals(new ModelCard.Training("adam lr=1e-3 batch=8", "synthetic", 2, 100, 7, "mse"), c.training());
        assertEquals(List.of(new ModelCard.Metric("PSNR", "Set12", 25f / 255, 30.25),
                new ModelCard.Metric("SSIM", "Set12", 25f / 255, 0.875)), c.metrics());
        assertEquals(Instant.parse("2026-11-25T08:00:00Z"), c.created());
        assertTrue(c.description().startsWith("format fixture written by Hush "), c.description());
    }

    @Test
    void version1EveryForm() throws Exception {
        try (Model m = load("v1-every-form")) {
            List<String> types = new ArrayList<>();
            for (Node n : m.nodes()) if (!n.isInput()) types.add(n.layer().type());
            assertEquals(List.of("Conv2D", "BatchNorm2D", "MaxPool2D", "MaxPool2D", "Conv2DTranspose", "Conv2DTranspose",
                    "Conv2DTranspose", "Conv2D", "Flatten", "Dense", "Dense", "Reshape"), types);
            assertCard(m.card(), "v1-every-form");
            assertEquals("every setting form", m.metadata().get("fixture"));
            assertComputesAsWritten(m, "v1-every-form");
        }
    }

    @Test
    void version1Float16Residual() throws Exception {
        try (Model m = load("v1-residual-f16")) {
            assertEquals("Subtract", m.nodes().get(m.nodes().size() - 1).layer().type());
            assertCard(m.card(), "v1-residual-f16");
            assertComputesAsWritten(m, "v1-residual-f16");
        }
    }

    @Test
    void version1Q4Dense() throws Exception {
        try (Model m = load("v1-dense-q4")) {
            assertCard(m.card(), "v1-dense-q4");
            assertComputesAsWritten(m, "v1-dense-q4");
        }
    }
}
