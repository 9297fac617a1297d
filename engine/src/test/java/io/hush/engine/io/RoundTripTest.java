package io.hush.engine.io;

import io.hush.engine.Model;
import io.hush.engine.ModelCard;
import io.hush.engine.Shape;
import io.hush.engine.graph.Node;
import io.hush.engine.kernels.Activation;
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
        return SeedModels.parameterFree();
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

    @Test
    void everyLayerTypeRoundTripsBitExact() throws Exception {
        java.util.Set<String> types = new java.util.TreeSet<>();
        for (Model m : SeedModels.models()) {
            try (m) {
                // awkward values must survive bit for bit too
                Param p = m.params().isEmpty() ? null : m.params().get(0);
                if (p != null) {
                    p.value.set(0, -0f);
                    p.value.set(1, Float.MIN_VALUE);
                    p.value.set(2, Float.intBitsToFloat(0x7fc12345)); // NaN with a payload
                }
                Path f = dir.resolve("every.hush");
                m.save(f);
                try (Model r = Model.load(f)) {
                    if (p != null) {
                        assertEquals(0x7fc12345, Float.floatToRawIntBits(r.params().get(0).value.get(2)));
                        p.value.set(2, 0.5f); // keep NaN out of the output comparison
                        r.params().get(0).value.set(2, 0.5f);
                    }
                    assertSameModel(m, r);
                }
                for (Node n : m.nodes()) if (!n.isInput()) types.add(n.layer().type());
            }
        }
        assertEquals(new java.util.TreeSet<>(java.util.List.of("Activation", "Add", "BatchNorm2D", "Conv2D", "Conv2DTranspose",
                "Dense", "Dropout", "Flatten", "MaxPool2D", "Reshape", "Scale", "Subtract")), types);
    }

    @Test
    void halfPrecisionStorageWithinItsPrecision() throws Exception {
        for (Storage s : new Storage[]{Storage.FLOAT16, Storage.BFLOAT16}) {
            try (Model m = SeedModels.everyForm()) {
                m.params().get(0).value.set(3, 1e-7f);   // float16 subnormal
                byte[] full = HushFormat.toBytes(m, Storage.FLOAT32);
                byte[] half = HushFormat.toBytes(m, s);
                long trainable = 0, tensors = 0;
                for (Param p : m.params()) {
                    tensors++;
                    if (p.trainable) trainable += p.value.size();
                }
                // two bytes saved per trainable value, give or take a length prefix per tensor
                assertTrue(full.length - half.length >= 2 * trainable - 2 * tensors, s + ": " + half.length + " vs " + full.length + " bytes");
                try (Model r = HushFormat.fromBytes(half, "half.hush")) {
                    for (int k = 0; k < m.params().size(); k++) {
                        float[] a = m.params().get(k).value.toArray(), b = r.params().get(k).value.toArray();
                        boolean exact = !m.params().get(k).trainable; // running statistics stay float32
                        for (int i = 0; i < a.length; i++) {
                            double err = Math.abs(a[i] - b[i]);
                            double tol = exact ? 0 : s == Storage.FLOAT16 ? Math.max(Math.abs(a[i]) * 0x1p-11, 0x1p-25)
                                    : Math.abs(a[i]) * 0x1p-8;
                            assertTrue(err <= tol, s + " " + m.params().get(k) + "[" + i + "]: " + a[i] + " -> " + b[i]);
                        }
                    }
                    // same graph, and the reduced model computes with what it loaded: saving it again at the same
                    // precision is lossless
                    byte[] again = HushFormat.toBytes(r, s);
                    try (Model r2 = HushFormat.fromBytes(again, "again.hush")) {
                        for (int k = 0; k < r.params().size(); k++) {
                            assertArrayEquals(bits(r.params().get(k).value.toArray()), bits(r2.params().get(k).value.toArray()));
                        }
                    }
                }
            }
        }
    }

    @Test
    void valuesBeyondFloat16RangeKeepTheTensorInFloat32() throws Exception {
        try (Model m = SeedModels.residual()) {
            m.params().get(0).value.set(0, 1e6f);
            try (Model r = HushFormat.fromBytes(HushFormat.toBytes(m, Storage.FLOAT16), "big.hush")) {
                assertArrayEquals(bits(m.params().get(0).value.toArray()), bits(r.params().get(0).value.toArray()));
                assertTrue(r.params().get(1).value.get(0) != 0f);
            }
        }
    }

    @Test
    void summaryRendersTableTotalsAndCard() throws Exception {
        try (Model m = SeedModels.residual()) {
            m.card().name("tiny-dncnn").description("test model").noise(ModelCard.Noise.gaussian(25f / 255))
                    .metric(new ModelCard.Metric("PSNR", "Set12", 25f / 255, 29.5));
            String s = ModelSummary.render(m);
            assertTrue(s.startsWith("Model: tiny-dncnn\ntest model\n"), s);
            assertTrue(s.contains("#  layer          type         inputs  output   params\n"
                    + "0  input          Input        -       [9,8,1]       0\n"
                    + "1  conv2d_1       Conv2D       0       [9,8,4]      40\n"), s);
            assertTrue(s.contains("\n3  batchnorm2d_1  BatchNorm2D  2       [9,8,4]      16\n"), s);
            assertTrue(s.contains("\n6  subtract_1     Subtract     0,5     [9,8,1]       0\n"), s);
            long params = m.parameterCount();
            assertEquals(40 + 144 + 16 + 37, params);
            assertTrue(s.contains("Parameters: 237 (229 trainable, 8 not)"), s);
            long flops = m.flops(m.inputShape());
            assertTrue(s.contains("FLOPs at [9,8,1]: " + ModelSummary.si(flops) + " per image, "
                    + ModelSummary.si(flops / 72.0) + " per pixel"), s);
            assertTrue(s.contains("Noise: gaussian sigma 0.09803922"), s);
            assertTrue(s.contains("  PSNR Set12 sigma 0.09803922: 29.5000 dB"), s);
            String big = ModelSummary.render(m, io.hush.engine.Shape.of(1080, 1920, 1));
            assertTrue(big.contains("[1080,1920,4]"), big);
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
        assertArrayEquals(bits(run(a, x, 2)), bits(run(b, x, 2)));
    }

    /** Forward pass on {@code n} samples of the model's input shape (a shared arena: the pool's workers read it). */
    static float[] run(Model m, float[] x, int n) {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofShared()) {
            return m.forward(io.hush.engine.Tensor.of(a, x, m.inputShape().withBatch(n).dims())).toArray();
        }
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
