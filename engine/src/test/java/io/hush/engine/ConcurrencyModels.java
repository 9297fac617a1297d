package io.hush.engine;

import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Padding;
import io.hush.engine.layers.Param;

import java.util.SplittableRandom;

/**
 * Small models covering every inference kernel (direct, small-Cout and Winograd convolution, transposed
 * convolution, BatchNorm with non-trivial statistics, max pooling, dense GEMV and blocked GEMM, every activation,
 * a skip connection from the input) for the concurrency and thread-count tests.
 */
final class ConcurrencyModels {
    private ConcurrencyModels() {}

    /**
     * Fully convolutional, any even H and W, 2 channels in and out:
     * conv3x3(2→8, leaky) → BN → conv3x3(8→16, tanh) → conv3x3(16→16, Winograd, relu) → maxpool 2 →
     * convT 2x2/2 (16→8, sigmoid) → conv3x3 stride 1 dilation 2 (8→8) → conv3x3(8→2, small-Cout) + input.
     */
    static Model conv() {
        Model.Builder b = Model.builder(8, 8, 2).seed(11);
        b.add(new Conv2D(8, 3, Activation.leakyRelu(0.1f)));
        b.add(new BatchNorm2D());
        b.add(new Conv2D(16, 3, Activation.TANH));
        b.add(new Conv2D(16, 3, Activation.RELU));
        b.add(new MaxPool2D(2));
        b.add(new Conv2DTranspose(8, 2, 2, Padding.SAME, Activation.SIGMOID));
        b.add(new Conv2D(8, 3, 3, 1, 1, Padding.SAME, 2, 2, true, Activation.LINEAR));
        b.add(new Conv2D(2, 3));
        b.add(new Add(), b.current(), 0);
        return randomize(b.build(), 5);
    }

    /** Dense on a flattened [6,6,3] input: 108 → 70 (tanh) → 300 (sigmoid) → 9. */
    static Model dense() {
        Model.Builder b = Model.builder(6, 6, 3).seed(12);
        b.add(new Flatten());
        b.add(new Dense(70, Activation.TANH));
        b.add(new Dense(300, Activation.SIGMOID));
        b.add(new Dense(9));
        return randomize(b.build(), 6);
    }

    /** Every parameter random (variances positive), so BatchNorm's moving statistics matter. */
    static Model randomize(Model m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Param p : m.params()) {
            boolean variance = p.name.contains("variance");
            for (long i = 0; i < p.value.size(); i++) {
                float v = (float) (r.nextDouble() - 0.5);
                p.value.set(i, variance ? 0.5f + Math.abs(v) : v);
            }
        }
        return m;
    }

    /** Uniform random values in [-2, 2). */
    static float[] input(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 4 - 2);
        return x;
    }

    /** Bit patterns, so assertArrayEquals compares exactly (and -0 differs from 0). */
    static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }
}
