package io.hush.engine.kernels;


/**
 * Pointwise activations. Every derivative here is written in terms of the activation's <em>output</em> y,
 * so a layer with a fused activation keeps only its output for the backward pass.
 */
public record Activation(Kind kind, float alpha) {
    public enum Kind { LINEAR, RELU, LEAKY_RELU, SIGMOID, TANH }

    public static final Activation LINEAR = new Activation(Kind.LINEAR, 0f);
    public static final Activation RELU = new Activation(Kind.RELU, 0f);
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f);
    public static final Activation TANH = new Activation(Kind.TANH, 0f);

    /** LeakyReLU with negative slope {@code alpha} (Keras default 0.3, PyTorch default 0.01). */
    public static Activation leakyRelu(float alpha) {
        if (!(alpha >= 0f && alpha < 1f)) throw new IllegalArgumentException("LeakyReLU alpha must be in [0,1), got " + alpha);
        return new Activation(Kind.LEAKY_RELU, alpha);
    }

    /**
     * Scalar reference: y = f(x). Sigmoid and tanh are {@link FastMath}'s float forms (within 2 ulp of the
     * double-precision functions), so this equals the SIMD kernels bit for bit at every JIT tier.
     */
    public float apply(float x) {
        return switch (kind) {
            case LINEAR -> x;
            case RELU -> x > 0f ? x : 0f;
            case LEAKY_RELU -> x > 0f ? x : alpha * x;
            case SIGMOID -> FastMath.sigmoid(x);
            case TANH -> FastMath.tanh(x);
        };
    }

    /** Scalar reference: f'(x) expressed through y = f(x). For LeakyReLU with alpha=0 at y=0 this is 0. */
    public float derivFromOutput(float y) {
        return switch (kind) {
            case LINEAR -> 1f;
            case RELU -> y > 0f ? 1f : 0f;
            case LEAKY_RELU -> y > 0f ? 1f : alpha;
            case SIGMOID -> y * (1f - y);
            case TANH -> 1f - y * y;
        };
    }

    @Override public String toString() {
        return kind == Kind.LEAKY_RELU ? "leaky_relu(" + alpha + ")" : kind.name().toLowerCase();
    }
}
