package io.hush.engine.layers;

/**
 * Pads {@code [H,W,C]} with zeros to {@code [top+H+bottom, left+W+right, C]} (Keras {@code ZeroPadding2D}, ONNX
 * {@code Pad} in constant mode). Backward crops the gradient. {@link Cropping2D} is the inverse; both are
 * {@link Border2D}s.
 */
public final class ZeroPadding2D extends Border2D {
    public ZeroPadding2D(int top, int bottom, int left, int right) {
        super(top, bottom, left, right);
    }

    /** The same pad on every side. */
    public ZeroPadding2D(int pad) {
        this(pad, pad, pad, pad);
    }

    /** {top, bottom, left, right}. */
    public int[] pads() { return amounts(); }

    @Override int direction() { return -1; }

    @Override public String type() { return "ZeroPadding2D"; }
}
