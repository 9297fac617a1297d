package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.Elementwise;

import java.lang.foreign.MemorySegment;

/**
 * {@code y = x * multiplier + offset} with constant scalars (no parameters): ONNX {@code Mul}/{@code Add} by a
 * constant, Keras {@code Rescaling(scale, offset)}, and input normalisation such as {@code x/255}. The product
 * and the sum are rounded separately (no fused multiply-add), like two ONNX nodes in a row.
 */
public final class Scale extends Layer {
    private final float multiplier;
    private final float offset;

    public Scale(float multiplier, float offset) {
        if (!Float.isFinite(multiplier) || !Float.isFinite(offset)) {
            throw new IllegalArgumentException("Scale multiplier and offset must be finite, got " + multiplier + ", " + offset);
        }
        this.multiplier = multiplier;
        this.offset = offset;
    }

    /** {@code y = x * multiplier}. */
    public Scale(float multiplier) {
        this(multiplier, 0f);
    }

    public float multiplier() { return multiplier; }

    public float offset() { return offset; }

    @Override public String type() { return "Scale"; }

    @Override
    public Shape outputShape(Shape... in) { return identityShape(in); }

    @Override public long flops(Shape[] in, Shape out) { return out.size() * (offset != 0f ? 2 : 1); }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        MemorySegment x = in[0].data(), y = out.data();
        long n = out.size();
        Elementwise.inBlocks(ex.pool, n, (from, to) -> Elementwise.scaleShift(x, multiplier, offset, y, from, to));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] == null) return;
        MemorySegment g = gradOut.data(), gx = gradIn[0].data();
        long n = gradOut.size();
        Elementwise.inBlocks(ex.pool, n, (from, to) -> Elementwise.scaleShift(g, multiplier, 0f, gx, from, to));
    }

    @Override public String toString() { return super.toString() + " (x*" + multiplier + "+" + offset + ")"; }
}
