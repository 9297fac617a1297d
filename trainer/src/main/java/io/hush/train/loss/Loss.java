package io.hush.train.loss;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.ThreadPool;

/**
 * A training loss on a batch of images {@code [N,H,W,C]} (a dense output {@code [N,F]} counts as {@code [N,1,F,1]}):
 * returns the loss value, a mean over the batch, and writes dL/dy when {@code dy} is non-null. Values are accumulated
 * per sample in double and summed in sample order, so the result does not depend on the number of threads.
 * A loss object keeps reusable buffers: one caller at a time.
 */
public interface Loss {
    /** Short name used in logs, CSV headers and config files ("mse", "ssim", "0.84*ssim+0.16*l1"). */
    String name();

    /**
     * Loss of prediction {@code y} against target {@code t} (flat NHWC arrays of {@code shape}); writes dL/dy into
     * {@code dy} (same length) unless it is null.
     */
    double compute(float[] y, float[] t, float[] dy, Shape shape, ThreadPool pool);

    /** The same on tensors; {@code dy} may be null. Copies through heap arrays (cheap next to a network pass). */
    default double compute(Tensor y, Tensor t, Tensor dy, ThreadPool pool) {
        if (!y.shape().equals(t.shape())) throw new IllegalArgumentException(name() + " loss: prediction " + y.shape() + " vs target " + t.shape());
        float[] g = dy == null ? null : new float[(int) y.size()];
        double v = compute(y.toArray(), t.toArray(), g, y.shape(), pool);
        if (dy != null) dy.copyFrom(g);
        return v;
    }

    /** Checks lengths against the shape and returns {N, H, W, C}. */
    static int[] nhwc(float[] y, float[] t, float[] dy, Shape shape, String loss) {
        int[] d = shape.dims();
        int[] r = switch (d.length) {
            case 4 -> d;
            case 2 -> new int[] {d[0], 1, d[1], 1};
            case 3 -> new int[] {d[0], d[1], d[2], 1};
            default -> throw new IllegalArgumentException(loss + " loss: expects [N,H,W,C] or [N,F], got " + shape);
        };
        long size = shape.size();
        if (y.length != size || t.length != size || (dy != null && dy.length != size)) {
            throw new IllegalArgumentException(loss + " loss: shape " + shape + " has " + size + " values, got prediction "
                    + y.length + ", target " + t.length + (dy == null ? "" : ", gradient " + dy.length));
        }
        return r;
    }
}
