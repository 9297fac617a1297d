package io.hush.engine.layers;

import io.hush.engine.Tensor;

import java.util.SplittableRandom;

/**
 * Weight initialisation schemes for kernels and biases.
 * <ul>
 *   <li>{@link #GLOROT_UNIFORM} (Keras default): kernel U(-l, l), l = sqrt(6 / (fan_in + fan_out)); bias 0.</li>
 *   <li>{@link #TORCH_DEFAULT} (PyTorch's {@code reset_parameters} for Linear/Conv2d/ConvTranspose2d:
 *       kaiming_uniform with a = sqrt(5)): kernel and bias both U(-b, b), b = 1 / sqrt(fan_in). PyTorch takes
 *       fan_in from dimension 1 of the weight, which for ConvTranspose2d is the number of <i>output</i> channels
 *       times KH*KW. Use it to reproduce a PyTorch recipe.</li>
 * </ul>
 */
public enum Init {
    GLOROT_UNIFORM, TORCH_DEFAULT;

    /** Fills {@code t} with U(-limit, limit), element by element from {@code rng}. */
    static void uniform(Tensor t, double limit, SplittableRandom rng) {
        for (long i = 0, n = t.size(); i < n; i++) t.set(i, (float) ((rng.nextDouble() * 2 - 1) * limit));
    }

    /** Initialises a kernel and an optional bias ({@code null}) for these fans. */
    void apply(Tensor kernel, Tensor bias, double fanIn, double fanOut, SplittableRandom rng) {
        switch (this) {
            case GLOROT_UNIFORM -> {
                uniform(kernel, Math.sqrt(6.0 / (fanIn + fanOut)), rng);
                if (bias != null) bias.fill(0f);
            }
            case TORCH_DEFAULT -> {
                double b = 1.0 / Math.sqrt(fanIn);
                uniform(kernel, b, rng);
                if (bias != null) uniform(bias, b, rng);
            }
        }
    }
}
