package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.LayoutKernels;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Joins {@code inputs} tensors along the last axis: the channels of {@code [H,W,C]} images (Keras {@code Concatenate
 * (axis=-1)}, channels_last; ONNX {@code Concat(axis=1)} on NCHW), or the features of {@code [F]} vectors. Every other
 * dimension must agree. Backward splits the gradient back.
 */
public final class Concatenate extends Layer {
    /** Most inputs one layer joins: far beyond any real model, and it bounds what a model file can ask for. */
    public static final int MAX_INPUTS = 1024;
    private final int inputs;

    /** A concatenation of {@code inputs} tensors (at least 2). */
    public Concatenate(int inputs) {
        if (inputs < 2 || inputs > MAX_INPUTS) {
            throw new IllegalArgumentException("Concatenate takes 2.." + MAX_INPUTS + " inputs, got " + inputs);
        }
        this.inputs = inputs;
    }

    @Override public String type() { return "Concatenate"; }

    @Override public int arity() { return inputs; }

    @Override
    public Shape outputShape(Shape... in) {
        if (in.length != inputs) throw shapeError("expects " + inputs + " inputs, got " + in.length);
        int[] d = in[0].dims();
        long last = 0;
        for (Shape s : in) {
            if (s.rank() != d.length || !Arrays.equals(Arrays.copyOf(s.dims(), d.length - 1), Arrays.copyOf(d, d.length - 1))) {
                throw shapeError("inputs must agree in every dimension but the last, got " + shapes(in));
            }
            last += s.dim(-1);
        }
        if (last > Integer.MAX_VALUE) throw shapeError("joined last dimension is too large: " + shapes(in));
        d[d.length - 1] = (int) last;
        return Shape.of(d);
    }

    private static String shapes(Shape[] in) {
        StringBuilder sb = new StringBuilder();
        for (Shape s : in) sb.append(sb.length() == 0 ? "" : " and ").append(s);
        return sb.toString();
    }

    /** Rows = everything before the last axis, over the whole batch. */
    private static long rows(Tensor t) { return t.size() / t.shape().dim(-1); }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        MemorySegment[] xs = new MemorySegment[in.length];
        int[] widths = new int[in.length];
        for (int k = 0; k < in.length; k++) {
            xs[k] = in[k].data();
            widths[k] = in[k].shape().dim(-1);
        }
        MemorySegment y = out.data();
        long rows = rows(out);
        int parts = (int) Math.min(rows, 1024);
        ex.pool.parallelFor(parts, (lo, hi, t) -> LayoutKernels.concat(xs, widths, y, rows * lo / parts, rows * hi / parts));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        MemorySegment[] gxs = new MemorySegment[in.length];
        int[] widths = new int[in.length];
        boolean any = false;
        for (int k = 0; k < in.length; k++) {
            gxs[k] = gradIn[k] == null ? null : gradIn[k].data();
            widths[k] = in[k].shape().dim(-1);
            any |= gradIn[k] != null;
        }
        if (!any) return;
        MemorySegment g = gradOut.data();
        long rows = rows(out);
        int parts = (int) Math.min(rows, 1024);
        ex.pool.parallelFor(parts, (lo, hi, t) -> LayoutKernels.split(g, widths, gxs, rows * lo / parts, rows * hi / parts));
    }

    @Override public String toString() { return super.toString() + " (" + inputs + " inputs)"; }
}
