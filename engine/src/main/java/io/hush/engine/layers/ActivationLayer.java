package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.Shape;
import io.hush.engine.kernels.ActivationKernels;

import java.lang.foreign.MemorySegment;

/**
 * A standalone pointwise activation (Keras {@code Activation}/{@code ReLU}/{@code LeakyReLU}, ONNX
 * {@code Relu}/{@code LeakyRelu}/{@code Sigmoid}/{@code Tanh}). Any input shape. Backward uses the derivative
 * from the output, like the fused activations of Dense and Conv2D.
 */
public final class ActivationLayer extends PointwiseLayer {
    private final Activation activation;

    public ActivationLayer(Activation activation) {
        if (activation == null) throw new IllegalArgumentException("activation is null (use Activation.LINEAR)");
        this.activation = activation;
    }

    public Activation activation() { return activation; }

    @Override public String type() { return "Activation"; }

    @Override
    public long flops(Shape[] in, Shape out) {
        return switch (activation.kind()) {
            case LINEAR -> 0;
            case RELU, LEAKY_RELU -> out.size();
            case SIGMOID, TANH -> 4 * out.size(); // nominal: exp + add + divide
        };
    }

    @Override
    void forwardRange(MemorySegment x, MemorySegment y, long from, long to) {
        ActivationKernels.apply(activation, x, y, from, to);
    }

    @Override
    void backwardRange(MemorySegment y, MemorySegment g, MemorySegment gx, long from, long to) {
        ActivationKernels.mulDerivFromOutput(activation, y, g, gx, from, to);
    }

    @Override public String toString() { return super.toString() + " (" + activation + ")"; }
}
