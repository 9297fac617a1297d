package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.ActivationKernels;
import io.hush.engine.kernels.Elementwise;

import java.lang.foreign.MemorySegment;

/**
 * A standalone pointwise activation (Keras {@code Activation}/{@code ReLU}/{@code LeakyReLU}, ONNX
 * {@code Relu}/{@code LeakyRelu}/{@code Sigmoid}/{@code Tanh}). Any input shape. Backward uses the derivative
 * from the output, like the fused activations of Dense and Conv2D.
 */
public final class ActivationLayer extends Layer {
    private final Activation activation;

    public ActivationLayer(Activation activation) {
        if (activation == null) throw new IllegalArgumentException("activation is null");
        this.activation = activation;
    }

    public Activation activation() { return activation; }

    @Override public String type() { return "Activation"; }

    @Override
    public Shape outputShape(Shape... in) {
        if (in.length != 1) throw shapeError("expects 1 input, got " + in.length);
        return in[0];
    }

    @Override
    public long flops(Shape[] in, Shape out) {
        return switch (activation.kind()) {
            case LINEAR -> 0;
            case RELU, LEAKY_RELU -> out.size();
            case SIGMOID, TANH -> 4 * out.size(); // nominal: exp + add + divide
        };
    }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        MemorySegment x = in[0].data(), y = out.data();
        long n = out.size();
        Elementwise.inBlocks(ex.pool, n, (from, to) -> ActivationKernels.apply(activation, x, y, from, to));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] == null) return;
        MemorySegment y = out.data(), g = gradOut.data(), gx = gradIn[0].data();
        long n = out.size();
        Elementwise.inBlocks(ex.pool, n, (from, to) -> ActivationKernels.mulDerivFromOutput(activation, y, g, gx, from, to));
    }

    @Override public String toString() { return super.toString() + " (" + activation + ")"; }
}
