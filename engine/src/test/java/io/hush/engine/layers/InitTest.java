package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.Model;
import io.hush.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Initialisation schemes: the bounds each one promises, with PyTorch's fan_in conventions, and reproducibility. */
class InitTest {
    private static Model net(Init init, long seed) {
        return Model.builder(8, 8, 3).seed(seed).init(init)
                .add(new Conv2D(16, 3, 1, Padding.SAME, Activation.RELU))                 // fan_in 27
                .add(new Conv2DTranspose(5, 3, 2, Padding.SAME, Activation.RELU))         // torch fan_in 9*5 = 45
                .add(new Flatten())
                .add(new Dense(7, Activation.LINEAR))                                     // fan_in 16*16*5 = 1280
                .build();
    }

    /** Largest |value| of a tensor; also checks every value lies in [-bound, bound]. */
    private static double maxAbs(Tensor t, double bound) {
        double m = 0;
        for (long i = 0; i < t.size(); i++) {
            double v = Math.abs(t.get(i));
            assertTrue(v <= bound * (1 + 1e-6), "value " + v + " beyond the bound " + bound);
            m = Math.max(m, v);
        }
        return m;
    }

    private static Param param(Model m, int node, String name) {
        for (Param p : m.nodes().get(node).layer().params()) if (p.name.equals(name)) return p;
        throw new AssertionError("no param " + name);
    }

    @Test
    void torchDefaultUsesOneOverSqrtFanInForKernelAndBias() {
        try (Model m = net(Init.TORCH_DEFAULT, 3)) {
            double[] fanIn = {0, 27, 45, 0, 1280};
            for (int node : new int[] {1, 2, 4}) {
                double b = 1 / Math.sqrt(fanIn[node]);
                Tensor k = param(m, node, "kernel").value, bias = param(m, node, "bias").value;
                // uniform in [-b, b]: the extremes of a few hundred samples come close to the bound
                assertTrue(maxAbs(k, b) > 0.9 * b, "node " + node + " kernel does not fill [-b, b]");
                assertTrue(maxAbs(bias, b) > 0, "node " + node + ": PyTorch biases are not zero");
            }
        }
    }

    @Test
    void glorotIsTheDefaultAndHasZeroBias() {
        try (Model a = net(Init.GLOROT_UNIFORM, 3);
             Model b = Model.builder(8, 8, 3).seed(3).add(new Conv2D(16, 3, 1, Padding.SAME, Activation.RELU)).build()) {
            double limit = Math.sqrt(6.0 / (27 + 9 * 16));
            assertTrue(maxAbs(param(a, 1, "kernel").value, limit) > 0.9 * limit);
            assertEquals(0, maxAbs(param(a, 1, "bias").value, 0));
            Tensor ka = param(a, 1, "kernel").value, kb = param(b, 1, "kernel").value;
            for (long i = 0; i < ka.size(); i++) assertEquals(ka.get(i), kb.get(i), "builder default = Glorot");
        }
    }

    @Test
    void reinitialisingEqualsBuildingWithTheScheme() {
        try (Model built = net(Init.TORCH_DEFAULT, 11); Model re = net(Init.GLOROT_UNIFORM, 99).initialize(Init.TORCH_DEFAULT, 11)) {
            for (int node : new int[] {1, 2, 4}) {
                for (String name : new String[] {"kernel", "bias"}) {
                    Tensor x = param(built, node, name).value, y = param(re, node, name).value;
                    for (long i = 0; i < x.size(); i++) assertEquals(x.get(i), y.get(i), "node " + node + " " + name + " at " + i);
                }
            }
        }
    }
}
