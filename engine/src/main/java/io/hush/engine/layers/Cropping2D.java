package io.hush.engine.layers;

/**
 * Removes {@code top, bottom} rows and {@code left, right} columns from {@code [H,W,C]} (Keras {@code Cropping2D},
 * ONNX {@code Slice} on H and W): U-Nets crop skip connections to the size of the upsampled path. Backward pads the
 * gradient with zeros. {@link ZeroPadding2D} is the inverse; both are {@link Border2D}s.
 */
public final class Cropping2D extends Border2D {
    public Cropping2D(int top, int bottom, int left, int right) {
        super(top, bottom, left, right);
    }

    /** {top, bottom, left, right}. */
    public int[] crops() { return amounts(); }

    @Override int direction() { return 1; }

    @Override public String type() { return "Cropping2D"; }
}
