package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.SoftmaxKernels;

import java.lang.foreign.MemorySegment;

/**
 * Softmax over the last axis: the channels of each pixel of {@code [H,W,C]}, or the features of {@code [F]} (Keras
 * {@code Softmax(axis=-1)} and {@code activation='softmax'}, ONNX {@code Softmax(axis=1)} on NCHW). See
 * {@link SoftmaxKernels}.
 */
public final class Softmax extends Layer {
    @Override public String type() { return "Softmax"; }

    @Override
    public Shape outputShape(Shape... in) { return identityShape(in); }

    @Override public long flops(Shape[] in, Shape out) { return 6 * out.size(); }

    private static final int ROWS_PER_TASK = 256;

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        MemorySegment x = in[0].data(), y = out.data();
        int c = out.shape().dim(-1);
        long rows = out.size() / c;
        ex.pool.parallelFor(Math.toIntExact((rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK), (lo, hi, t) ->
                SoftmaxKernels.forward(x, y, c, (long) lo * ROWS_PER_TASK, Math.min((long) hi * ROWS_PER_TASK, rows)));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] == null) return;
        MemorySegment y = out.data(), g = gradOut.data(), gx = gradIn[0].data();
        int c = out.shape().dim(-1);
        long rows = out.size() / c;
        ex.pool.parallelFor(Math.toIntExact((rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK), (lo, hi, t) ->
                SoftmaxKernels.backward(y, g, gx, c, (long) lo * ROWS_PER_TASK, Math.min((long) hi * ROWS_PER_TASK, rows)));
    }
}
