package io.hush.engine.onnx;

import io.hush.engine.Model;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.ActivationLayer;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Dropout;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Padding;
import io.hush.engine.layers.Param;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.Scale;
import io.hush.engine.layers.Subtract;
import io.hush.engine.onnx.proto.Onnx.ModelProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.hush.engine.onnx.OnnxTesting.TOL;
import static io.hush.engine.onnx.OnnxTesting.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hush models exported to ONNX run in ONNX Runtime with the same numbers, and import back to the same model.
 * Weights are random (biases and BatchNorm statistics too, so every parameter's mapping is exercised).
 */
class OnnxExportTest {

    /** The seed network: conv 32 - pool - conv 64 - pool - flatten - dense 3136 - reshape - convT 64 - convT 32 - conv 1. */
    static Model seedNetwork() {
        Model m = Model.builder(28, 28, 1)
                .add(new Conv2D(32, 3, Activation.RELU))
                .add(new MaxPool2D(2, Padding.SAME))
                .add(new Conv2D(64, 3, Activation.RELU))
                .add(new MaxPool2D(2, Padding.SAME))
                .add(new Flatten())
                .add(new Dense(7 * 7 * 64, Activation.RELU, true))
                .add(new Reshape(7, 7, 64))
                .add(new Conv2DTranspose(64, 3, 2, Padding.SAME, Activation.RELU))
                .add(new Conv2DTranspose(32, 3, 2, Padding.SAME, Activation.RELU))
                .add(new Conv2D(1, 3, Activation.SIGMOID))
                .seed(7)
                .build();
        randomize(m, 11);
        return m;
    }

    /** DnCNN: conv+relu, 15 x (conv without bias, BatchNorm, relu), conv; out = x - f(x). */
    static Model dncnn(int depth, int channels) {
        Model.Builder b = Model.builder(32, 32, 1).seed(3);
        b.add(new Conv2D(channels, 3, Activation.RELU));
        for (int i = 0; i < depth - 2; i++) {
            b.add(new Conv2D(channels, 3, 3, 1, 1, Padding.SAME, 1, 1, false, Activation.LINEAR));
            b.add(new BatchNorm2D(0.99f, 1e-3f));
            b.add(new ActivationLayer(Activation.RELU));
        }
        b.add(new Conv2D(1, 3, Activation.LINEAR));
        b.add(new Subtract(), 0, b.current());
        Model m = b.build();
        randomize(m, 5);
        return m;
    }

    /** Random biases and BatchNorm statistics (kernels keep their Glorot init). */
    static void randomize(Model m, long seed) {
        long s = seed;
        for (Param p : m.params()) {
            int n = Math.toIntExact(p.value.size());
            String name = p.name.substring(p.name.lastIndexOf('/') + 1);
            float[] v = switch (name) {
                case "bias", "beta", "moving_mean" -> OnnxTesting.uniform(s++, n, -0.1f, 0.1f);
                case "gamma", "moving_variance" -> OnnxTesting.uniform(s++, n, 0.5f, 1.5f);
                default -> null;
            };
            if (v != null) p.value.copyFrom(v);
        }
    }

    private static List<String> types(Model m) {
        return m.nodes().stream().skip(1).map(n -> n.layer().type()).toList();
    }

    @Test
    void seedNetworkRunsInOnnxRuntimeAndImportsBack() throws Exception {
        try (Model m = seedNetwork()) {
            byte[] onnx = OnnxExporter.toBytes(m, 17);
            int n = 16;
            float[] xNchw = OnnxTesting.uniform(1, n * 28 * 28, 0f, 1f);
            float[] xNhwc = OnnxTesting.nchwToNhwc(xNchw, n, 1, 28, 28);
            float[] hush = OnnxTesting.hush(m, xNhwc, n, 28, 28, 1);
            OnnxTesting.Out ort = OnnxTesting.ort(onnx, xNchw, n, 1, 28, 28);
            assertEquals(List.of(16L, 1L, 28L, 28L), java.util.Arrays.stream(ort.shape()).boxed().toList());
            double d = maxAbsDiff(OnnxTesting.nhwcToNchw(hush, n, 28, 28, 1), ort.data());
            System.out.printf("onnx export seed network (16x28x28): max|hush-ort| %.3g%n", d);
            assertTrue(d <= TOL, "seed network: Hush vs ONNX Runtime " + d);

            try (Model back = OnnxImporter.read(onnx, "seed.onnx", 0, 0)) {
                assertEquals(types(m), types(back));
                double r = maxAbsDiff(hush, OnnxTesting.hush(back, xNhwc, n, 28, 28, 1));
                assertTrue(r <= 1e-6, "re-imported seed network differs by " + r);
            }
        }
    }

    @Test
    void dncnnWithBatchNormRunsInOnnxRuntime() throws Exception {
        try (Model m = dncnn(17, 64)) {
            byte[] onnx = OnnxExporter.toBytes(m, 13);
            // 128x128 here; the 256x256 comparison on one file runs in OnnxImportFixtureTest (dncnn.onnx)
            float[] x = OnnxTesting.uniform(2, 128 * 128, 0f, 1f); // one channel: NCHW and NHWC coincide
            float[] hush = OnnxTesting.hush(m, x, 1, 128, 128, 1);
            OnnxTesting.Out ort = OnnxTesting.ort(onnx, x, 1, 1, 128, 128);
            double d = maxAbsDiff(hush, ort.data());
            System.out.printf("onnx export DnCNN 17x64 (128x128): max|hush-ort| %.3g%n", d);
            assertTrue(d <= TOL, "DnCNN: Hush vs ONNX Runtime " + d);

            try (Model back = OnnxImporter.read(onnx, "dncnn.onnx", 0, 0)) {
                assertEquals(types(m), types(back));
                float[] small = OnnxTesting.uniform(3, 48 * 40, 0f, 1f);
                double r = maxAbsDiff(OnnxTesting.hush(m, small, 1, 48, 40, 1), OnnxTesting.hush(back, small, 1, 48, 40, 1));
                assertTrue(r <= 1e-6, "re-imported DnCNN differs by " + r);
            }
        }
    }

    @Test
    void writesAFileWithSymbolicSizesForFullyConvolutionalModels(@TempDir Path dir) throws Exception {
        try (Model m = dncnn(3, 4)) {
            m.metadata().put("name", "tiny dncnn");
            Path f = dir.resolve("tiny.onnx");
            OnnxExporter.write(m, f);
            OnnxExporter.write(m, f); // replaces it
            try (var files = Files.list(dir)) {
                assertEquals(List.of(f), files.toList(), "no temporary file left behind");
            }
            ModelProto p = ModelProto.parseFrom(Files.readAllBytes(f));
            assertEquals(17, p.getOpsetImport(0).getVersion());
            assertEquals("H", p.getGraph().getInput(0).getType().getTensorType().getShape().getDim(2).getDimParam());
            assertEquals("tiny dncnn", p.getMetadataProps(0).getValue());
            try (Model back = OnnxImporter.read(f)) {
                assertEquals("tiny dncnn", back.metadata().get("name"));
            }
        }
        try (Model m = seedNetwork()) { // has a Dense: fixed 28x28
            ModelProto p = OnnxExporter.toProto(m, 17);
            assertEquals(28, p.getGraph().getInput(0).getType().getTensorType().getShape().getDim(2).getDimValue());
            assertThrows(OnnxException.class, () -> OnnxExporter.toProto(m, 12));
        }
    }

    /** Every layer type (and the no-bias, features-BatchNorm and residual variants) in one model. */
    @Test
    void everyLayerTypeMatchesOnnxRuntimeAndImportsBack() throws Exception {
        Model.Builder b = Model.builder(8, 8, 3).seed(5);
        b.add(new Scale(0.5f, 0.25f));
        b.add(new Conv2D(4, 3, Activation.RELU));
        int a = b.current();
        b.add(new Conv2D(4, 3, 3, 1, 1, Padding.SAME, 1, 1, false, Activation.LINEAR));
        b.add(new Add(), a, b.current());
        b.add(new ActivationLayer(Activation.TANH));
        b.add(new Dropout(0.3f));
        b.add(new MaxPool2D(2));
        b.add(new Flatten());
        b.add(new Dense(10, Activation.leakyRelu(0.1f), false));
        b.add(new BatchNorm2D(0.9f, 1e-5f));
        b.add(new Scale(2f, -0.5f));
        b.add(new Dense(4 * 4 * 2, Activation.SIGMOID, true));
        b.add(new Reshape(4, 4, 2));
        b.add(new Conv2DTranspose(3, 2, 2, Padding.VALID, Activation.LINEAR));
        b.add(new Subtract(), 0, b.current());
        try (Model m = b.build()) {
            randomize(m, 17);
            byte[] onnx = OnnxExporter.toBytes(m, 13);
            float[] x = OnnxTesting.uniform(6, 5 * 3 * 8 * 8, -1f, 1f);
            float[] hush = OnnxTesting.hush(m, OnnxTesting.nchwToNhwc(x, 5, 3, 8, 8), 5, 8, 8, 3);
            OnnxTesting.Out ort = OnnxTesting.ort(onnx, x, 5, 3, 8, 8);
            double d = maxAbsDiff(OnnxTesting.nhwcToNchw(hush, 5, 8, 8, 3), ort.data());
            assertTrue(d <= TOL, "every layer type: Hush vs ONNX Runtime " + d);
            try (Model back = OnnxImporter.read(onnx, "all.onnx", 0, 0)) {
                assertEquals(types(m), types(back));
                double r = maxAbsDiff(hush, OnnxTesting.hush(back, OnnxTesting.nchwToNhwc(x, 5, 3, 8, 8), 5, 8, 8, 3));
                assertTrue(r <= 1e-6, "re-imported model differs by " + r);
            }
        }
    }

    /** Every padding flavour of every padded layer, at an odd size where SAME pads asymmetrically. */
    @Test
    void paddingModesMatchOnnxRuntime() throws Exception {
        try (Model m = Model.builder(13, 11, 3)
                .add(new Conv2D(4, 3, 2, Padding.SAME, Activation.leakyRelu(0.2f)))          // auto_pad SAME_UPPER
                .add(Conv2D.withPads(5, 3, 2, 1, 2, 1, 0, 2, 1, 1, 2, true, Activation.TANH)) // asymmetric, dilated
                .add(new MaxPool2D(3, 3, 2, 2, Padding.SAME))
                .add(MaxPool2D.explicit(2, 2, 1, 1, 1, 0, 0, 1))
                .add(new Conv2DTranspose(3, 3, 2, Padding.VALID, Activation.LINEAR))
                .add(new Conv2DTranspose(2, 2, 3, Padding.SAME, Activation.SIGMOID))       // eff < stride: output padding
                .add(Conv2DTranspose.withPads(2, 3, 3, 2, 2, 1, 0, 0, 1, 1, 0, 1, 1, false, Activation.RELU))
                .add(new Conv2DTranspose(2, 3, 3, 2, 2, Padding.SAME, 1, 1, 1, 1, true, Activation.LINEAR))
                .seed(21).build()) {
            randomize(m, 8);
            byte[] onnx = OnnxExporter.toBytes(m, 17);
            float[] x = OnnxTesting.uniform(4, 2 * 3 * 13 * 11, -1f, 1f);
            float[] hush = OnnxTesting.hush(m, OnnxTesting.nchwToNhwc(x, 2, 3, 13, 11), 2, 13, 11, 3);
            OnnxTesting.Out ort = OnnxTesting.ort(onnx, x, 2, 3, 13, 11);
            int[] o = m.outputShape().dims();
            assertEquals(List.of(2L, (long) o[2], (long) o[0], (long) o[1]), java.util.Arrays.stream(ort.shape()).boxed().toList());
            double d = maxAbsDiff(OnnxTesting.nhwcToNchw(hush, 2, o[0], o[1], o[2]), ort.data());
            assertTrue(d <= TOL, "padding modes: Hush vs ONNX Runtime " + d);
            try (Model back = OnnxImporter.read(onnx, "pads.onnx", 0, 0)) {
                double r = maxAbsDiff(hush, OnnxTesting.hush(back, OnnxTesting.nchwToNhwc(x, 2, 3, 13, 11), 2, 13, 11, 3));
                assertTrue(r <= 1e-6, "re-imported padding model differs by " + r);
            }
        }
    }

    /** A layer the engine does not know: the exporter refuses it by name and class. */
    static final class Probe extends io.hush.engine.layers.CustomLayer {
        @Override public String type() { return "Probe"; }
        @Override public io.hush.engine.Shape outputShape(io.hush.engine.Shape... in) { return in[0]; }
        @Override public void forward(io.hush.engine.Tensor[] in, io.hush.engine.Tensor out, io.hush.engine.layers.Exec ex) {
            out.copyFrom(in[0]);
        }
        @Override public void backward(io.hush.engine.Tensor[] in, io.hush.engine.Tensor out, io.hush.engine.Tensor g,
                                       io.hush.engine.Tensor[] gi, io.hush.engine.layers.Exec ex) {}
    }

    @Test
    void customLayersAreRefusedByNameAndClass() {
        try (Model m = Model.builder(4, 4, 1).add(new Probe().name("p1")).build()) {
            Exception e = assertThrows(Exception.class, () -> OnnxExporter.toBytes(m, 17));
            assertTrue(e.getMessage().contains("cannot export Probe 'p1' (custom class io.hush.engine.onnx.OnnxExportTest$Probe)"),
                    e.getMessage());
        }
    }
}
