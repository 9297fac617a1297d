package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.Elementwise;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Inverted dropout: in training mode each element is kept with probability {@code 1-rate} and scaled by
 * {@code 1/(1-rate)}, else zeroed; in inference mode it is the identity (copy). The mask (0 or 1/(1-rate) per
 * element) is kept in {@link Exec#state} for backward.
 *
 * <p>The mask is a pure function of ({@link Exec#step}, this layer's name, element index): element i keeps iff
 * {@code u(i) >= rate} with {@code u} a SplitMix64 hash of the seed and i mapped to [0,1). So it is the same for
 * any thread count, needs no RNG state, and repeated forward passes of one step (gradient checks) drop the same
 * elements; the trainer advances {@code ex.step} to get a fresh mask.
 */
public final class Dropout extends Layer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private final float rate;

    public Dropout(float rate) {
        if (!(rate >= 0f && rate < 1f)) throw new IllegalArgumentException("Dropout rate must be in [0,1), got " + rate);
        this.rate = rate;
    }

    public float rate() { return rate; }

    @Override public String type() { return "Dropout"; }

    @Override
    public Shape outputShape(Shape... in) { return identityShape(in); }

    @Override public long stateFloats(Shape[] in, Shape out, int threads) { return out.size(); }

    @Override public long flops(Shape[] in, Shape out) { return out.size(); }

    /** The seed of the mask for a training step (public so tests and tools can reproduce a mask). */
    public long seed(long step) {
        return mix64(step * 0x9E3779B97F4A7C15L + name().hashCode());
    }

    /** Whether element {@code i} is kept under {@code seed}. */
    public boolean keeps(long seed, long i) {
        long h = mix64(seed + (i + 1) * 0x9E3779B97F4A7C15L);
        float u = (h >>> 40) * 0x1.0p-24f;
        return u >= rate;
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        if (!ex.training) {
            out.copyFrom(in[0]);
            return;
        }
        MemorySegment x = in[0].data(), y = out.data(), mask = ex.state;
        long n = out.size();
        long seed = seed(ex.step);
        float scale = 1f / (1f - rate);
        Elementwise.inBlocks(ex.pool, n, (from, to) -> {
            for (long i = from; i < to; i++) mask.setAtIndex(F, i, keeps(seed, i) ? scale : 0f);
            Elementwise.mul(x, mask, y, from, to);
        });
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] == null) return;
        if (!ex.training) {
            gradIn[0].copyFrom(gradOut);
            return;
        }
        MemorySegment g = gradOut.data(), gx = gradIn[0].data(), mask = ex.state;
        long n = out.size();
        Elementwise.inBlocks(ex.pool, n, (from, to) -> Elementwise.mul(g, mask, gx, from, to));
    }

    @Override public String toString() { return super.toString() + " (rate " + rate + ")"; }
}
