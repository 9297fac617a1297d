package io.hush.engine.layers;

/**
 * Keras padding modes. {@code SAME}: output = ceil(in / stride); the total padding
 * {@code max((out-1)*stride + effectiveKernel - in, 0)} is split with the smaller half at the top/left
 * (TensorFlow's rule, so odd totals pad one more at the bottom/right). {@code VALID}: no padding.
 * {@link #explicit} pads by given amounts (what ONNX/PyTorch models carry).
 */
public enum Padding {
    SAME, VALID;

    /** Output size along one axis for a convolution / pooling window. */
    public static int convOut(int in, int kernel, int stride, int dilation, Padding p) {
        int eff = (kernel - 1) * dilation + 1;
        return p == SAME ? (in + stride - 1) / stride : (in - eff) / stride + 1;
    }

    /** Padding before (top/left) along one axis. */
    public static int convPadBefore(int in, int kernel, int stride, int dilation, Padding p) {
        if (p == VALID) return 0;
        int eff = (kernel - 1) * dilation + 1;
        int out = convOut(in, kernel, stride, dilation, p);
        int total = Math.max((out - 1) * stride + eff - in, 0);
        return total / 2;
    }
}
