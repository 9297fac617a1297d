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

    public Param(String name, Tensor value, Tensor grad, boolean trainable, boolean regularize) {
        this.name = name;
        this.value = value;
        this.grad = grad;
        this.trainable = trainable;
        this.regularize = regularize;
    }

    @Override public String toString() { return name + value.shape(); }
}
