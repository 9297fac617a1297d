package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.UpSamplingKernels;

import java.lang.foreign.MemorySegment;

/**
 * Upsamples {@code [H,W,C]} by integer factors to {@code [H*sh, W*sw, C]} (Keras {@code UpSampling2D}, ONNX
 * {@code Resize}). {@link Interpolation#NEAREST} repeats each pixel; {@link Interpolation#BILINEAR} interpolates with
 * half-pixel centres and clamped edges, as TensorFlow's {@code tf.image.resize} (Keras 2.3+ / Keras 3 on every
 * backend). See {@link UpSamplingKernels}.
 */
public final class UpSampling2D extends Layer {
    /** How new pixels are made. */
    public enum Interpolation { NEAREST, BILINEAR }

    private final int sizeH, sizeW;
    private final Interpolation interpolation;

    public UpSampling2D(int sizeH, int sizeW, Interpolation interpolation) {
        if (sizeH <= 0 || sizeW <= 0) throw new IllegalArgumentException("UpSampling2D size must be positive, got " + sizeH + "x" + sizeW);
        if (interpolation == null) throw new IllegalArgumentException("UpSampling2D interpolation is null");
        this.sizeH = sizeH;
        this.sizeW = sizeW;
        this.interpolation = interpolation;
    }

    /** {@code size x size}, nearest (Keras default interpolation). */
    public UpSampling2D(int size) {
        this(size, size, Interpolation.NEAREST);
    }

    public int sizeH() { return sizeH; }

    public int sizeW() { return sizeW; }

    public Interpolation interpolation() { return interpolation; }

    @Override public String type() { return "UpSampling2D"; }

    @Override
    public Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        long h = (long) in[0].dim(0) * sizeH, w = (long) in[0].dim(1) * sizeW;
        if (h > Integer.MAX_VALUE || w > Integer.MAX_VALUE) throw shapeError("output of input " + in[0] + " is too large");
        return Shape.of((int) h, (int) w, in[0].dim(2));
    }

    @Override
    public long flops(Shape[] in, Shape out) { return interpolation == Interpolation.BILINEAR ? 6 * out.size() : 0; }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        Shape s = in[0].shape();
        int n = s.dim(0), h = s.dim(1), w = s.dim(2), c = s.dim(3);
        MemorySegment x = in[0].data(), y = out.data();
        if (interpolation == Interpolation.NEAREST) {
            ex.pool.parallelFor(n * h, (lo, hi, t) -> UpSamplingKernels.nearest(x, y, h, w, c, sizeH, sizeW, lo, hi));
        } else {
            UpSamplingKernels.Axis ay = UpSamplingKernels.Axis.halfPixel(h, sizeH), ax = UpSamplingKernels.Axis.halfPixel(w, sizeW);
            ex.pool.parallelFor(n * h * sizeH, (lo, hi, t) -> UpSamplingKernels.bilinear(x, y, h, w, c, ay, ax, lo, hi));
        }
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] == null) return;
        Shape s = in[0].shape();
        int n = s.dim(0), h = s.dim(1), w = s.dim(2), c = s.dim(3);
        MemorySegment gy = gradOut.data(), gx = gradIn[0].data();
        if (interpolation == Interpolation.NEAREST) {
            ex.pool.parallelFor(n * h, (lo, hi, t) -> UpSamplingKernels.nearestBackward(gy, gx, h, w, c, sizeH, sizeW, lo, hi));
        } else {
            UpSamplingKernels.Axis ay = UpSamplingKernels.Axis.halfPixel(h, sizeH), ax = UpSamplingKernels.Axis.halfPixel(w, sizeW);
            int cb = UpSamplingKernels.BACKWARD_CHANNEL_BLOCK;
            ex.pool.parallelFor(n * ((c + cb - 1) / cb),
                    (lo, hi, t) -> UpSamplingKernels.bilinearBackward(gy, gx, h, w, c, ay, ax, cb, lo, hi));
        }
    }

    @Override
    public String toString() {
        return super.toString() + " (" + sizeH + "x" + sizeW + " " + interpolation.name().toLowerCase() + ")";
    }
}
