package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.LayoutKernels;

/**
 * Rows and columns added to or removed from the edges of {@code [H,W,C]}: ZeroPadding2D adds zeros, Cropping2D removes
 * (each the other's backward). The amounts (top, bottom, left, right), their check, the shape rule and both passes
 * live here; a subclass says only which way it goes.
 */
public abstract sealed class Border2D extends Layer permits Cropping2D, ZeroPadding2D {
    private final int top, bottom, left, right;

    Border2D(int top, int bottom, int left, int right) {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException(type() + " amounts must be >= 0, got top " + top + ", bottom " + bottom
                    + ", left " + left + ", right " + right);
        }
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    /** +1 when the layer removes the amounts (Cropping2D), -1 when it adds them (ZeroPadding2D). */
    abstract int direction();

    /** The rows and columns added or removed: {top, bottom, left, right}. */
    public int[] amounts() { return new int[] {top, bottom, left, right}; }

    @Override
    public Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        long h = (long) in[0].dim(0) - direction() * (long) (top + bottom);
        long w = (long) in[0].dim(1) - direction() * (long) (left + right);
        if (h < 1 || w < 1) {
            throw shapeError("cropping top " + top + ", bottom " + bottom + ", left " + left + ", right " + right
                    + " leaves nothing of input " + in[0]);
        }
        if (h > Integer.MAX_VALUE || w > Integer.MAX_VALUE) throw shapeError("padded size of " + in[0] + " is too large");
        return Shape.of((int) h, (int) w, in[0].dim(2));
    }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        Shape s = in[0].shape(), o = out.shape();
        var x = in[0].data();
        var y = out.data();
        int d = direction();
        ex.pool.parallelFor(o.dim(0) * o.dim(1), (lo, hi, t) -> LayoutKernels.window(x, s.dim(1), s.dim(2), y, o.dim(1),
                o.dim(2), s.dim(3), d * top, d * left, lo, hi));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] == null) return;
        Shape s = in[0].shape(), o = out.shape();
        var g = gradOut.data();
        var gx = gradIn[0].data();
        int d = direction();
        ex.pool.parallelFor(s.dim(0) * s.dim(1), (lo, hi, t) -> LayoutKernels.window(g, o.dim(1), o.dim(2), gx, s.dim(1),
                s.dim(2), s.dim(3), -d * top, -d * left, lo, hi));
    }

    @Override
    public String toString() {
        return super.toString() + " (top " + top + ", bottom " + bottom + ", left " + left + ", right " + right + ")";
    }
}
