package io.hush.engine.onnx;

import io.hush.engine.Model;
import io.hush.engine.Tensor;
import io.hush.engine.golden.Npy;
import io.hush.engine.graph.Node;
import io.hush.engine.layers.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.hush.engine.onnx.OnnxTesting.TOL;
import static io.hush.engine.onnx.OnnxTesting.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Imports the PyTorch and tf2onnx-style fixtures (tools/onnx/make_fixtures.py) and checks the Hush model against
 * both PyTorch's output saved with the fixture and ONNX Runtime running the same file.
 */
class OnnxImportFixtureTest {

    /** Runs an NCHW fixture through Hush (NHWC), ONNX Runtime and compares with the saved PyTorch output. */
    private static double[] checkNchw(String name, Model m) throws Exception {
        Npy x = OnnxTesting.npy(name + ".input.npy"), y = OnnxTesting.npy(name + ".output.npy");
        int[] s = x.shape();
        float[] hushOut = OnnxTesting.hush(m, OnnxTesting.nchwToNhwc(x.data(), s[0], s[1], s[2], s[3]),
                s[0], s[2], s[3], s[1]);
        if (y.shape().length == 4) {
            int[] o = y.shape();
            hushOut = OnnxTesting.nhwcToNchw(hushOut, o[0], o[2], o[3], o[1]);
        }
        OnnxTesting.Out ort = OnnxTesting.ort(Files.readAllBytes(OnnxTesting.fixture(name + ".onnx")), x.data(),
                s[0], s[1], s[2], s[3]);
        double vsTorch = maxAbsDiff(hushOut, y.data()), vsOrt = maxAbsDiff(hushOut, ort.data());
        System.out.printf("onnx import %-12s max|hush-torch| %.3g  max|hush-ort| %.3g  max|ort-torch| %.3g%n", name,
                vsTorch, vsOrt, maxAbsDiff(ort.data(), y.data()));
        assertTrue(vsTorch <= TOL, name + ": Hush vs PyTorch max abs diff " + vsTorch);
        assertTrue(vsOrt <= TOL, name + ": Hush vs ONNX Runtime max abs diff " + vsOrt);
        return new double[] {vsTorch, vsOrt};
    }

    private static List<String> types(Model m) {
        return m.nodes().stream().skip(1).map(n -> n.layer().type()).toList();
    }

    @Test
    void seedAutoencoderFromPyTorch() throws Exception {
        try (Model m = OnnxImporter.read(OnnxTesting.fixture("seed_ae.onnx"))) {
            // activations fused, Flatten/Reshape mapped without extra permute layers
            assertEquals(List.of("Conv2D", "MaxPool2D", "Conv2D", "MaxPool2D", "Flatten", "Dense", "Reshape",
                    "Conv2DTranspose", "Conv2DTranspose", "Conv2D"), types(m));
            checkNchw("seed_ae", m);
        }
    }

    @Test
    void dncnnWithBatchNormFromPyTorch() throws Exception {
        try (Model m = OnnxImporter.read(OnnxTesting.fixture("dncnn.onnx"))) {
            List<String> t = types(m);
            assertEquals(17, t.stream().filter("Conv2D"::equals).count());
            assertEquals(15, t.stream().filter("BatchNorm2D"::equals).count());
            assertEquals("Subtract", t.get(t.size() - 1));
            Node last = m.nodes().get(m.nodes().size() - 1);
            assertEquals(0, last.inputs()[0], "x - f(x): the input is the minuend");
            checkNchw("dncnn", m); // 256x256, while the file's H and W are symbolic
        }
    }

    @Test
    void smallOpsFromPyTorch() throws Exception {
        try (Model m = OnnxImporter.read(OnnxTesting.fixture("small_ops.onnx"))) {
            checkNchw("small_ops", m);
        }
    }

    /** x.view(x.size(0), ...): Shape/Gather/Unsqueeze/Concat folded into constant shapes (opset 11 and 13 forms). */
    @Test
    void torchViewWithDynamicBatchFromPyTorch() throws Exception {
        for (String name : List.of("view_o11", "view_o13")) {
            try (Model m = OnnxImporter.read(OnnxTesting.fixture(name + ".onnx"))) {
                assertEquals(List.of("Conv2D", "Flatten", "Dense", "Reshape", "Conv2DTranspose"), types(m));
                checkNchw(name, m);
            }
        }
    }

    /** An imported model saves as .hush, loads back with the same outputs, and trains (backward runs). */
    @Test
    void importedModelSavesAsHushAndTrains(@TempDir Path dir) throws Exception {
        for (String name : List.of("seed_ae", "small_ops", "keras_style")) {
            Npy x = OnnxTesting.npy(name + ".input.npy");
            int[] s = x.shape();
            boolean nchw = !name.equals("keras_style");
            float[] in = nchw ? OnnxTesting.nchwToNhwc(x.data(), s[0], s[1], s[2], s[3]) : x.data();
            int[] dims = nchw ? new int[] {s[0], s[2], s[3], s[1]} : s;
            Path f = dir.resolve(name + ".hush");
            float[] before;
            try (Model m = OnnxImporter.read(OnnxTesting.fixture(name + ".onnx"))) {
                before = OnnxTesting.hush(m, in, dims);
                m.save(f);
            }
            try (Model m = Model.load(f); Arena a = Arena.ofShared()) {
                assertEquals(0.0, maxAbsDiff(before, OnnxTesting.hush(m, in, dims)), name + " after .hush round trip");
                Tensor t = Tensor.of(a, in, dims).slice(0, 2);
                Tensor y = m.forward(t, true);
                Tensor g = Tensor.allocate(a, y.shape());
                g.fill(1f);
                m.backward(g);
                double sum = 0;
                for (Param p : m.params()) if (p.trainable) for (float v : p.grad.toArray()) sum += Math.abs(v);
                assertTrue(sum > 0 && Double.isFinite(sum), name + ": gradients " + sum);
            }
        }
    }

    @Test
    void tf2onnxStyleKerasModel() throws Exception {
        Path f = OnnxTesting.fixture("keras_style.onnx");
        try (Model m = OnnxImporter.read(f)) {
            // every Transpose folded away: the layers a Keras user wrote
            assertEquals(List.of("Conv2D", "MaxPool2D", "Flatten", "Dense", "Reshape", "Conv2DTranspose", "Conv2D"), types(m));
            Npy x = OnnxTesting.npy("keras_style.input.npy"), y = OnnxTesting.npy("keras_style.output.npy");
            int[] s = x.shape(); // NHWC, like Hush
            float[] hushOut = OnnxTesting.hush(m, x.data(), s);
            OnnxTesting.Out ort = OnnxTesting.ort(Files.readAllBytes(f), x.data(), s[0], s[1], s[2], s[3]);
            double vsTorch = maxAbsDiff(hushOut, y.data()), vsOrt = maxAbsDiff(hushOut, ort.data());
            System.out.printf("onnx import %-12s max|hush-torch| %.3g  max|hush-ort| %.3g%n", "keras_style", vsTorch, vsOrt);
            assertTrue(vsTorch <= TOL, "Hush vs reference " + vsTorch);
            assertTrue(vsOrt <= TOL, "Hush vs ONNX Runtime " + vsOrt);
        }
    }
}
