package io.hush.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A float32 tensor in an off-heap {@link MemorySegment}, 64-byte aligned (one cache line, one AVX-512 vector).
 * A tensor does not own its memory: the {@link Arena} it was allocated from does (a {@link Model} owns the
 * arena of its parameters and workspaces), so closing that arena frees every tensor in it at once.
 */
public final class Tensor {
    public static final int ALIGN = 64;
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final MemorySegment data;
    private final Shape shape;

    public Tensor(MemorySegment data, Shape shape) {
        if (data.byteSize() < shape.size() * 4) {
            throw new IllegalArgumentException("segment of " + data.byteSize() + " bytes is too small for " + shape);
        }
        this.data = data;
        this.shape = shape;
    }

    private Tensor(Shape shape) {
        this.data = MemorySegment.NULL; // native and empty: no kernel call site sees a heap segment
        this.shape = shape;
    }

    /**
     * A tensor with a shape but no float32 memory, for a parameter whose values are kept in another form (an int8
     * kernel: {@link io.hush.engine.layers.Param#int8}). Its shape and size are usable; reading or writing its
     * values throws IndexOutOfBoundsException.
     */
    public static Tensor shapeOnly(Shape shape) {
        return new Tensor(shape);
    }

    /** Whether this tensor has float32 memory (false for {@link #shapeOnly} tensors). */
    public boolean hasData() { return data.byteSize() >= shape.size() * 4; }

    /** A zero-filled tensor of this shape from the arena. */
    public static Tensor allocate(Arena arena, Shape shape) {
        return new Tensor(arena.allocate(Math.multiplyExact(shape.size(), 4L), ALIGN), shape);
    }

    public static Tensor allocate(Arena arena, int... dims) {
        return allocate(arena, Shape.of(dims));
    }

    /** A tensor holding a copy of {@code values}. */
    public static Tensor of(Arena arena, float[] values, int... dims) {
        Tensor t = allocate(arena, dims);
        t.copyFrom(values);
        return t;
    }

    public MemorySegment data() { return data; }

    public Shape shape() { return shape; }

    public long size() { return shape.size(); }

    public float get(long i) { return data.getAtIndex(F, i); }

    public void set(long i, float v) { data.setAtIndex(F, i, v); }

    /** The same memory seen with another shape of equal size. */
    public Tensor reshape(Shape s) {
        if (s.size() != shape.size()) throw new IllegalArgumentException("cannot reshape " + shape + " to " + s);
        return new Tensor(data, s);
    }

    /** Samples {@code [from, from+count)} of a batched tensor, as a view on the same memory. */
    public Tensor slice(int from, int count) {
        long per = shape.size() / shape.dim(0);
        int[] d = shape.dims();
        d[0] = count;
        return new Tensor(data.asSlice(from * per * 4, count * per * 4), Shape.of(d));
    }

    public void copyFrom(float[] src) {
        if (src.length != shape.size()) throw new IllegalArgumentException("array of " + src.length + " floats for tensor " + shape);
        MemorySegment.copy(src, 0, data, F, 0, src.length);
    }

    public void copyFrom(Tensor src) {
        if (src.size() != size()) throw new IllegalArgumentException("copy " + src.shape + " into " + shape);
        MemorySegment.copy(src.data, 0, data, 0, size() * 4);
    }

    public float[] toArray() {
        float[] a = new float[Math.toIntExact(size())];
        MemorySegment.copy(data, F, 0, a, 0, a.length);
        return a;
    }

    public void fill(float v) {
        if (v == 0f) data.asSlice(0, size() * 4).fill((byte) 0);
        else for (long i = 0, n = size(); i < n; i++) set(i, v);
    }

    @Override public String toString() { return "Tensor" + shape; }
}
