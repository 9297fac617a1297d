package io.hush.engine.golden;

import io.hush.engine.Shape;
import io.hush.engine.layers.BatchNorm2D;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * BatchNorm2D against PyTorch F.batch_norm on [4,5,6,6] inputs with per-channel offsets (epsilon 1e-3, Keras'):
 * training mode (batch statistics, output, input/gamma/beta gradients through the batch statistics, updated moving
 * statistics) for both running-statistics conventions the layer documents -- {@link BatchNorm2D#pytorch}
 * (running = 0.9 old + 0.1 batch, unbiased variance: compared with PyTorch's own running_mean/running_var) and
 * Keras (momentum 0.9 = weight of the old value, biased variance: expected values computed here in double from the
 * fixture's batch statistics) -- and inference mode (moving statistics); also training on a [8,6] feature batch
 * (BatchNorm after a Dense). Tolerances: {@link Compare} with K = N*H*W (the length of the statistics' sums).
 */
class GoldenBatchNormTest {
    @TestFactory
    Stream<DynamicTest> batchNorm() {
        return GoldenCase.casesOf("BatchNorm2D").stream().flatMap(n -> Stream.of(
                DynamicTest.dynamicTest(n + " (PyTorch running stats)", () -> run(new GoldenCase(n), true)),
                DynamicTest.dynamicTest(n + " (Keras running stats)", () -> run(new GoldenCase(n), false))));
    }

    static void run(GoldenCase c, boolean pytorchConvention) {
        String n = c.name + (pytorchConvention ? " torch" : " keras");
        int[] xs = c.shape("x");
        boolean training = c.bool("training");
        float tm = c.real("torch_momentum"), eps = c.real("epsilon");
        BatchNorm2D layer = pytorchConvention ? BatchNorm2D.pytorch(tm, eps) : new BatchNorm2D(1 - tm, eps);
        float[] mm = c.array("moving_mean"), mv = c.array("moving_variance");
        Map<String, float[]> params = new LinkedHashMap<>();
        params.put("gamma", c.array("gamma"));
        params.put("beta", c.array("beta"));
        params.put("moving_mean", mm);
        params.put("moving_variance", mv);
        long count = c.integer("count");
        boolean dense = xs.length == 2; // [N,F]: features are already last
        java.util.function.Function<String, float[]> act = a -> dense ? c.array(a) : Layouts.nchwToNhwc(c.array(a), xs);
        Shape shape = Shape.of(dense ? xs : Layouts.nhwc(xs));
        LayerHarness.Run r = LayerHarness.run(layer, training, new Shape[] {shape}, new float[][] {act.apply("x")},
                params, training ? act.apply("gy") : null);
        assertEquals(shape, r.outShape);
        Compare.check(n + " y", act.apply("y"), r.y, count);
        if (!training) {
            // inference leaves the moving statistics alone
            Compare.check(n + " moving_mean unchanged", mm, r.values.get("moving_mean"), 1);
            Compare.check(n + " moving_variance unchanged", mv, r.values.get("moving_variance"), 1);
            return;
        }
        Compare.check(n + " grad x", act.apply("gx"), r.gx[0], count);
        Compare.check(n + " grad gamma", c.array("ggamma"), r.grads.get("gamma"), count);
        Compare.check(n + " grad beta", c.array("gbeta"), r.grads.get("beta"), count);
        float[] expMean, expVar;
        if (pytorchConvention) {
            expMean = c.array("torch_new_moving_mean");
            expVar = c.array("torch_new_moving_variance");
        } else {
            float[] bm = c.array("batch_mean"), bv = c.array("batch_var");
            double keep = 1.0 - tm;
            expMean = new float[mm.length];
            expVar = new float[mm.length];
            for (int k = 0; k < mm.length; k++) {
                expMean[k] = (float) (keep * mm[k] + (1 - keep) * bm[k]);
                expVar[k] = (float) (keep * mv[k] + (1 - keep) * bv[k]);
            }
        }
        Compare.check(n + " moving_mean", expMean, r.values.get("moving_mean"), count);
        Compare.check(n + " moving_variance", expVar, r.values.get("moving_variance"), count);
        assertEquals(2, r.grads.size(), n + ": only gamma and beta are trainable, got " + r.grads.keySet());
    }
}
