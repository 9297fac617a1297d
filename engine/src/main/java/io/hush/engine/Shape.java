package io.hush.engine;

import java.util.Arrays;

/**
 * An immutable tensor shape. Activations are NHWC: a batch is {@code [N,H,W,C]}, one sample {@code [H,W,C]};
 * dense activations are {@code [N,F]} / {@code [F]}.
 *
 * <p>Why NHWC: every hot kernel (convolution, transposed convolution, dense, pooling) then walks channels
 * contiguously in its innermost loop, so the SIMD lanes run over output channels with unit stride and
 * no gather, and a pixel's channel vector is one cache line for 16 channels.
 */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    public static Shape of(int... dims) {
        for (int d : dims) {
            if (d <= 0) throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a dimension <= 0");
        }
        return new Shape(dims.clone());
    }

    public int rank() { return dims.length; }

    public int dim(int i) { return dims[i < 0 ? dims.length + i : i]; }

    public int[] dims() { return dims.clone(); }

    /** Number of elements; throws if it does not fit a long safely. */
    public long size() {
        long n = 1;
        for (int d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    /** This per-sample shape with a leading batch dimension. */
    public Shape withBatch(int n) {
        int[] d = new int[dims.length + 1];
        d[0] = n;
        System.arraycopy(dims, 0, d, 1, dims.length);
        return Shape.of(d);
    }

    /** This batched shape without its leading dimension. */
    public Shape dropBatch() {
        return Shape.of(Arrays.copyOfRange(dims, 1, dims.length));
    }

    @Override public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }

    @Override public int hashCode() { return Arrays.hashCode(dims); }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) sb.append(i == 0 ? "" : ",").append(dims[i]);
        return sb.append(']').toString();
    }
}
