package io.hush.engine.io;

import io.hush.engine.Model;
import io.hush.engine.ModelCard;
import io.hush.engine.Shape;
import io.hush.engine.graph.Node;
import io.hush.engine.layers.Activation;
import io.hush.engine.layers.ActivationLayer;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.Dropout;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.Param;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.Scale;
import io.hush.engine.layers.Subtract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoundTripTest {
    @TempDir Path dir;

    static Model parameterFree() {
        Model.Builder b = Model.builder(6, 5, 2);
        b.add(new Scale(2f, -0.5f));
        int s = b.current();
        b.add(new ActivationLayer(Activation.leakyRelu(0.2f)));
        b.add(new ActivationLayer(Activation.TANH));
        b.add(new Add(), s, b.current());
        b.add(new Subtract(), 0, b.current());
        b.add(new Dropout(0.25f));
        b.add(new Flatten());
        b.add(new Reshape(6, -1));
        b.add(new ActivationLayer(Activation.SIGMOID));
        return b.build();
    }

    @Test
    void parameterFreeLayersRoundTrip() throws Exception {
        try (Model m = parameterFree()) {
            m.card().name("pf").description("parameter-free").noise(ModelCard.Noise.gaussianRange(0f, 0.2f))
                    .input(ModelCard.InputContract.fixed(6, 5, 2, 0f, 1f))
                    .training(new ModelCard.Training("none", "synthetic", 0, 0, 7, "mse"))
                    .metric(new ModelCard.Metric("PSNR", "Set12", 0.1f, 30.5))
                    .created(Instant.ofEpochMilli(1_700_000_000_123L));
            m.metadata().put("k", "v");
            Path p = dir.resolve("m.hush");
            m.save(p);
            try (Model r = Model.load(p)) {
                assertSameModel(m, r);
                assertEquals("pf", r.card().name());
                assertEquals(m.card().noise(), r.card().noise());
                assertEquals(m.card().input(), r.card().input());
                assertEquals(m.card().training(), r.card().training());
                assertEquals(m.card().metrics(), r.card().metrics());
                assertEquals(m.card().created(), r.card().created());
                assertEquals("v", r.metadata().get("k"));
                assertTrue(!r.card().hushVersion().isEmpty());
            }
            try (Model r = Model.load(new ByteArrayInputStream(Files.readAllBytes(p)))) {
                assertSameModel(m, r);
            }
        }
    }

    /** Same graph, names, settings (through the saved bytes) and bit-identical parameters and outputs. */
    static void assertSameModel(Model a, Model b) {
        assertEquals(a.nodes().size(), b.nodes().size());
        assertEquals(a.inputShape(), b.inputShape());
        for (int i = 1; i < a.nodes().size(); i++) {
            Node x = a.nodes().get(i), y = b.nodes().get(i);
            assertEquals(x.layer().name(), y.layer().name());
            assertEquals(x.layer().getClass(), y.layer().getClass());
            assertEquals(x.layer().toString(), y.layer().toString());
            assertArrayEquals(x.inputs(), y.inputs());
            assertEquals(x.shape(), y.shape());
            assertEquals(x.layer().params().size(), y.layer().params().size());
            for (int k = 0; k < x.layer().params().size(); k++) {
                Param p = x.layer().params().get(k), q = y.layer().params().get(k);
                assertEquals(p.name, q.name);
                assertEquals(p.value.shape(), q.value.shape());
                assertArrayEquals(bits(p.value.toArray()), bits(q.value.toArray()), "param " + p + " of " + x.layer());
            }
        }
        // the settings survived too: re-encoding gives the same graph bytes
        assertArrayEquals(ModelEncoder.encode(a, Storage.FLOAT32, Instant.EPOCH, "t").toBuilder().clearCard().build().toByteArray(),
                ModelEncoder.encode(b, Storage.FLOAT32, Instant.EPOCH, "t").toBuilder().clearCard().build().toByteArray());
        float[] x = input(a.inputShape(), 2, 5);
        assertArrayEquals(bits(a.predict(x, 2)), bits(b.predict(x, 2)));
    }

    static float[] input(Shape per, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[(int) per.size() * n];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
        return x;
    }

    static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }
}
