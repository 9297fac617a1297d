package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.LayoutKernels;

/**
 * Removes {@code top, bottom} rows and {@code left, right} columns from {@code [H,W,C]} (Keras {@code Cropping2D},
 * ONNX {@code Slice} on H and W): U-Nets crop skip connections to the size of the upsampled path. Backward pads the
 * gradient with zeros.
 */
public final class Cropping2D extends Layer {
    private final int top, bottom, left, right;

    public Cropping2D(int top, int bottom, int left, int right) {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("Cropping2D amounts must be >= 0, got top " + top + ", bottom " + bottom
                    + ", left " + left + ", right " + right);
        }
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    /** {top, bottom, left, right}. */
    public int[] crops() { return new int[] {top, bottom, left, right}; }

    @Override public String type() { return "Cropping2D"; }

    @Override
    public Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        long h = (long) in[0].dim(0) - top - bottom, w = (long) in[0].dim(1) - left - right;
        if (h < 1 || w < 1) {
            throw shapeError("cropping top " + top + ", bottom " + bottom + ", left " + left + ", right " + right
                    + " leaves nothing of input " + in[0]);
        }
        return Shape.of((int) h, (int) w, in[0].dim(2));
    }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        Shape s = in[0].shape(), o = out.shape();
        var x = in[0].data();
        var y = out.data();
        ex.pool.parallelFor(o.dim(0) * o.dim(1), (lo, hi, t) -> LayoutKernels.window(x, s.dim(1), s.dim(2), y, o.dim(1),
                o.dim(2), s.dim(3), top, left, lo, hi));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] == null) return;
        Shape s = in[0].shape(), o = out.shape();
        var g = gradOut.data();
        var gx = gradIn[0].data();
        ex.pool.parallelFor(s.dim(0) * s.dim(1), (lo, hi, t) -> LayoutKernels.window(g, o.dim(1), o.dim(2), gx, s.dim(1),
                s.dim(2), s.dim(3), -top, -left, lo, hi));
    }

    @Override
    public String toString() {
        return super.toString() + " (top " + top + ", bottom " + bottom + ", left " + left + ", right " + right + ")";
    }
}
