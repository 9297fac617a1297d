package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A whole model with a fan-out skip connection (node a feeds both a Dense and the Add), gradient-checked end to
 * end: Model.backward's parameter gradients against finite differences of Model.forward(x, true).
 */
class ModelSkipTest {

    @Test
    void parameterGradientsThroughSkipConnection() {
        Model.Builder b = Model.builder(4, 4, 3).seed(5)
                .add(new BatchNorm2D(0.9f, 1e-3f))
                .add(new MaxPool2D(2, Padding.SAME))
                .add(new Flatten())
                .add(new Dense(9, Activation.TANH, true));
        int a = b.current();
        b.add(new Dense(9, Activation.SIGMOID, true))
                .add(new Add(), a, b.current())
                .add(new ActivationLayer(Activation.leakyRelu(0.2f)));
        int c = b.current();
        b.add(new Dense(9, Activation.LINEAR, false))
                .add(new Subtract(), c, b.current())
                .add(new Dropout(0.3f))
                .add(new Dense(4, Activation.LINEAR, true))
                .add(new Scale(0.5f, 0.1f));
        try (Model m = b.build(); Arena arena = Arena.ofShared()) {
            m.threads(2);
            m.step(3);
            SplittableRandom r = new SplittableRandom(9);
            Tensor x = Tensor.allocate(arena, Shape.of(3, 4, 4, 3));
            // distinct input values so the max pool has no near-ties
            float[] xs = new float[(int) x.size()];
            for (int i = 0; i < xs.length; i++) xs[i] = (i * 37 % xs.length) * 0.04f - 2f;
            x.copyFrom(xs);
            Tensor y = m.forward(x, true);
            Tensor rr = Tensor.allocate(arena, y.shape());
            for (long i = 0; i < rr.size(); i++) rr.set(i, (float) (r.nextDouble() * 2 - 1));
            m.backward(rr);
            int checked = 0;
            for (Param p : m.params()) {
                if (!p.trainable) continue;
                float[] analytic = p.grad.toArray();
                int n = (int) p.value.size();
                for (int c2 = 0; c2 < Math.min(n, 12); c2++) {
                    int j = n <= 12 ? c2 : r.nextInt(n);
                    float orig = p.value.get(j);
                    double eps = 1e-2;
                    p.value.set(j, (float) (orig + eps));
                    double lp = loss(m, x, rr);
                    p.value.set(j, (float) (orig - eps));
                    double lm = loss(m, x, rr);
                    p.value.set(j, orig);
                    double numeric = (lp - lm) / (2 * eps);
                    assertEquals(numeric, analytic[j], 3e-3 + 3e-2 * Math.abs(numeric), p + " [" + j + "]");
                    checked++;
                }
            }
            assertTrue(checked > 60, "checked " + checked);
        }
    }

    private static double loss(Model m, Tensor x, Tensor r) {
        Tensor y = m.forward(x, true);
        double l = 0;
        for (long i = 0; i < y.size(); i++) l += (double) y.get(i) * r.get(i);
        return l;
    }
}
