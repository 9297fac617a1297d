package io.hush.engine.onnx;

import io.hush.engine.Model;
import io.hush.engine.io.KerasLayerChain;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.AveragePool2D;
import io.hush.engine.layers.Concatenate;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Cropping2D;
import io.hush.engine.layers.GlobalAveragePool2D;
import io.hush.engine.layers.Padding;
import io.hush.engine.layers.Param;
import io.hush.engine.layers.Softmax;
import io.hush.engine.layers.UpSampling2D;
import io.hush.engine.layers.ZeroPadding2D;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.hush.engine.onnx.OnnxTesting.TOL;
import static io.hush.engine.onnx.OnnxTesting.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers added for Keras import export to ONNX ops that ONNX Runtime runs to the same numbers: AveragePool,
 * Resize (nearest and half-pixel linear), Mul, Concat, Pad, Slice (fixed and symbolic sizes), GlobalAveragePool,
 * Elu, Softmax.
 */
class KerasLayersOnnxTest {
    static Model randomize(Model m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Param p : m.params()) for (long i = 0; i < p.value.size(); i++) p.value.set(i, (float) r.nextDouble(-0.5, 0.5));
        return m;
    }

    @Test
    void imageLayersMatchOnnxRuntime() throws Exception {
        Model.Builder b = Model.builder(8, 7, 2).seed(5);
        KerasLayerChain.addTo(b);
        b.add(new UpSampling2D(3, 2, UpSampling2D.Interpolation.NEAREST));
        b.add(new AveragePool2D(3, 2, 3, 2, Padding.VALID));
        b.add(new AveragePool2D(3, 3, 1, 1, Padding.SAME));
        b.add(new Softmax());
        try (Model m = randomize(b.build(), 3)) {
            byte[] onnx = OnnxExporter.toBytes(m, OnnxExporter.DEFAULT_OPSET);
            int n = 2;
            float[] x = OnnxTesting.uniform(4, n * 8 * 7 * 2, -1f, 1f);
            float[] hush = OnnxTesting.hush(m, x, n, 8, 7, 2);
            OnnxTesting.Out ort = OnnxTesting.ort(onnx, OnnxTesting.nhwcToNchw(x, n, 8, 7, 2), n, 2, 8, 7);
            assertArrayEquals(new long[] {n, 10, 8, 7}, ort.shape());
            double d = maxAbsDiff(hush, OnnxTesting.nchwToNhwc(ort.data(), n, 10, 8, 7));
            assertTrue(d < TOL, "max |hush - ort| = " + d);
        }
    }

    @Test
    void paddingCroppingAndGlobalPoolAtAnySize() throws Exception {
        Model.Builder b = Model.builder(8, 8, 3).seed(6);
        b.add(new ZeroPadding2D(1, 2, 0, 1));
        b.add(new Cropping2D(1, 2, 0, 1));
        b.add(new Conv2D(4, 3, Activation.TANH));
        b.add(new Concatenate(2), 0, b.current());
        b.add(new GlobalAveragePool2D(true));
        b.add(new Softmax());
        b.add(new GlobalAveragePool2D(false));
        try (Model m = randomize(b.build(), 4)) {
            byte[] onnx = OnnxExporter.toBytes(m, 13);
            for (int[] hw : new int[][] {{8, 8}, {12, 10}}) {
                int h = hw[0], w = hw[1], n = 2;
                float[] x = OnnxTesting.uniform(h + w, n * h * w * 3, -1f, 1f);
                float[] hush = OnnxTesting.hush(m, x, n, h, w, 3);
                OnnxTesting.Out ort = OnnxTesting.ort(onnx, OnnxTesting.nhwcToNchw(x, n, h, w, 3), n, 3, h, w);
                assertArrayEquals(new long[] {n, 7}, ort.shape());
                double d = maxAbsDiff(hush, ort.data());
                assertTrue(d < TOL, h + "x" + w + ": max |hush - ort| = " + d);
            }
        }
    }
}
