package io.hush.engine.layers;

import io.hush.engine.Tensor;

/**
 * A trainable (or, with {@code trainable=false}, saved but not trained) parameter: its value and the gradient
 * that the last backward pass wrote. Layers overwrite {@code grad} on every backward call.
 */
public final class Param {
    public final String name;
    public final Tensor value;
    public final Tensor grad;
    public final boolean trainable;
    /** Whether L1/L2 weight regularisation applies (kernels yes, biases and BatchNorm no). */
    public final boolean regularize;

    /**
     * The int8 form of a kernel kept as int8 in memory ({@link KernelStorage#INT8}), else null. Then {@link #value}
     * and {@link #grad} are {@link Tensor#shapeOnly} tensors: the shape is right, the float32 values do not exist
     * (the layer computes from these codes, and the parameter cannot be trained).
     */
    public final Int8Kernel int8;

    public Param(String name, Tensor value, Tensor grad, boolean trainable, boolean regularize) {
        this(name, value, grad, trainable, regularize, null);
    }

    private Param(String name, Tensor value, Tensor grad, boolean trainable, boolean regularize, Int8Kernel int8) {
        this.name = name;
        this.value = value;
        this.grad = grad;
        this.trainable = trainable;
        this.regularize = regularize;
        this.int8 = int8;
    }

    /** A kernel parameter held as int8 codes and per-output-channel scales (no float32 copy). */
    public static Param int8(String name, Int8Kernel kernel, boolean regularize) {
        return new Param(name, Tensor.shapeOnly(kernel.shape()), Tensor.shapeOnly(kernel.shape()), true, regularize, kernel);
    }

    /** The values as float32 (a copy; an int8 kernel dequantized). */
    public float[] values() {
        return int8 != null ? int8.toArray() : value.toArray();
    }

    /** Sets the values from float32 (an int8 kernel is quantized again, with new scales). */
    public void setValues(float[] v) {
        if (int8 != null) int8.quantize(v);
        else value.copyFrom(v);
    }

    @Override public String toString() { return name + value.shape() + (int8 != null ? " int8" : ""); }
}
