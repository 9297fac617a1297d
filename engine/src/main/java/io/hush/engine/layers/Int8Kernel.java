package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.kernels.Int8Kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A weight kernel kept as int8: symmetric codes in -127..127, one float32 scale per output channel (the kernel's last
 * dimension, C), value {@code code[i] * scale[i % C]}; the codes are in the float kernel's own order. A quarter of the
 * float32 memory (plus 4 bytes per channel). Per-channel scales keep a channel with small weights as precise as one
 * with large ones: the rounding error of a weight is at most half its channel's scale, {@code max|w| / 254}.
 */
public final class Int8Kernel {
    /** Largest code magnitude (symmetric: -127..127, so negation is exact). */
    public static final int MAX_CODE = 127;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final Shape shape;
    private final int channels;
    private final MemorySegment codes;
    private final MemorySegment scales;

    private Int8Kernel(Shape shape, MemorySegment codes, MemorySegment scales) {
        this.shape = shape;
        this.channels = shape.dim(-1);
        this.codes = codes;
        this.scales = scales;
    }

    /** Zero codes and scales for a kernel of this shape (last dimension = output channels), in {@code arena}. */
    public static Int8Kernel allocate(Arena arena, Shape shape) {
        if (shape.rank() < 2) throw new IllegalArgumentException("an int8 kernel has rank >= 2 (last = output channels), got " + shape);
        return new Int8Kernel(shape, arena.allocate(shape.size(), 64), arena.allocate(4L * shape.dim(-1), 64));
    }

    public Shape shape() { return shape; }

    /** Output channels: the last dimension, one scale each. */
    public int channels() { return channels; }

    /** The codes, one signed byte per weight, in the float kernel's order. */
    public MemorySegment codes() { return codes; }

    /** The scales, float32 {@code [channels]}. */
    public MemorySegment scales() { return scales; }

    /** Bytes held: codes and scales. */
    public long bytes() { return codes.byteSize() + scales.byteSize(); }

    public float scale(int channel) { return scales.getAtIndex(F, channel); }

    /** Weight {@code i} (row-major index into the kernel's shape). */
    public float get(long i) {
        return codes.get(ValueLayout.JAVA_BYTE, i) * scale((int) (i % channels));
    }

    /**
     * Quantizes float32 weights (the kernel's row-major order): per channel, scale = max|w| / 127 and code =
     * round(w / scale); an all-zero channel gets scale 0. A non-finite weight is refused (IllegalArgumentException).
     */
    public void quantize(float[] w) {
        if (w.length != shape.size()) throw new IllegalArgumentException(w.length + " weights for an int8 kernel " + shape);
        float[] amax = new float[channels];
        for (int i = 0; i < w.length; i++) {
            if (!Float.isFinite(w[i])) {
                throw new IllegalArgumentException("weight " + i + " of kernel " + shape + " is " + w[i] + ": int8 needs finite weights");
            }
            int c = i % channels;
            amax[c] = Math.max(amax[c], Math.abs(w[i]));
        }
        for (int c = 0; c < channels; c++) scales.setAtIndex(F, c, amax[c] / MAX_CODE);
        for (int i = 0; i < w.length; i++) {
            float s = scale(i % channels);
            int q = s > 0 ? Math.round(w[i] / s) : 0;
            codes.set(ValueLayout.JAVA_BYTE, i, (byte) Math.max(-MAX_CODE, Math.min(MAX_CODE, q)));
        }
    }

    /** The dequantized weights, float32, in the kernel's order. */
    public float[] toArray() {
        float[] out = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < out.length; i++) out[i] = get(i);
        return out;
    }

    /** Writes the dequantized weights into {@code dst} (float32, at least the kernel's size) with SIMD widening. */
    public void dequantize(MemorySegment dst) {
        Int8Kernels.dequantize(codes, scales, channels, shape.size(), dst);
    }

    /** Copies another int8 kernel of the same shape. */
    public void copyFrom(Int8Kernel o) {
        if (!o.shape.equals(shape)) throw new IllegalArgumentException("copy int8 kernel " + o.shape + " into " + shape);
        MemorySegment.copy(o.codes, 0, codes, 0, codes.byteSize());
        MemorySegment.copy(o.scales, 0, scales, 0, scales.byteSize());
    }

    /** Multiplies channel c's scale by {@code factor[c]} (folding a per-channel affine map, e.g. BatchNorm, into it). */
    public void scaleChannels(double[] factor) {
        for (int c = 0; c < channels; c++) scales.setAtIndex(F, c, (float) (scale(c) * factor[c]));
    }

    /** Float32 weights for a convolution's forward pass: the kernel itself, or an int8 kernel widened into scratch. */
    static MemorySegment weights(Param kernel, Exec ex, Layer layer) {
        if (kernel.int8 == null) return kernel.value.data();
        if (ex.training) throw notTrainable(layer);
        MemorySegment w = ex.scratch.asSlice(0, 4 * kernel.int8.shape().size());
        kernel.int8.dequantize(w);
        return w;
    }

    /** Initialises a kernel (and bias) with {@code init}: in float32 first when the kernel is int8, then quantized. */
    static void initialize(Param kernel, Param bias, Init init, double fanIn, double fanOut, java.util.SplittableRandom rng) {
        if (kernel.int8 == null) {
            init.apply(kernel.value, bias == null ? null : bias.value, fanIn, fanOut, rng);
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            io.hush.engine.Tensor k = io.hush.engine.Tensor.allocate(a, kernel.int8.shape());
            init.apply(k, bias == null ? null : bias.value, fanIn, fanOut, rng);
            kernel.int8.quantize(k.toArray());
        }
    }

    /** The exception a layer with an int8 kernel throws for a training-mode call. */
    static IllegalStateException notTrainable(Layer l) {
        return new IllegalStateException(l + " keeps its kernel as int8: it runs inference only (convert the model to"
                + " float32, e.g. hush convert IN OUT --storage float32, to train it)");
    }

    @Override public String toString() { return "Int8Kernel" + shape; }
}
