package io.hush.engine.layers;

/**
 * Keras padding modes, as Keras configs and the public constructors name them. {@code SAME}: output
 * {@code ceil(in / stride)}, the total padding split with the smaller half at the top/left (TensorFlow's rule);
 * {@code VALID}: no padding. Layers keep their padding as a {@link Pad} ({@link Pad#of(Padding)}), which also has
 * explicit pads (what ONNX/PyTorch models carry) and computes the pads a mode means for an input size.
 */
public enum Padding {
    SAME, VALID
}
