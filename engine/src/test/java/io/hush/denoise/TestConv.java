package io.hush.denoise;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.layers.Exec;
import io.hush.engine.layers.CustomLayer;
import io.hush.engine.layers.Param;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test-only k x k convolution (stride 1, SAME zero padding, ReLU optional), plain scalar loops: a small
 * fully-convolutional model for the tiling and CLI tests that does not depend on the engine's layer set.
 */
final class TestConv extends CustomLayer {
    private final int filters, k;
    private final boolean relu;
    private Param w, b;

    TestConv(int filters, int k, boolean relu) {
        this.filters = filters;
        this.k = k;
        this.relu = relu;
    }

    @Override public String type() { return "TestConv"; }

    @Override public Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        return Shape.of(in[0].dim(0), in[0].dim(1), filters);
    }

    @Override public void createParams(Shape[] in, Arena arena) {
        int c = in[0].dim(2);
        w = new Param("w", Tensor.allocate(arena, k, k, c, filters), Tensor.allocate(arena, k, k, c, filters), true, true);
        b = new Param("b", Tensor.allocate(arena, filters), Tensor.allocate(arena, filters), true, false);
    }

    @Override public List<Param> params() { return List.of(w, b); }

    @Override public void initialize(SplittableRandom rng) {
        for (long i = 0; i < w.value.size(); i++) w.value.set(i, (float) (rng.nextDouble(-1, 1) / k));
        for (long i = 0; i < b.value.size(); i++) b.value.set(i, (float) rng.nextDouble(-0.1, 0.1));
    }

    @Override public void forward(Tensor[] in, Tensor out, Exec ex) {
        Shape s = in[0].shape();
        int n = s.dim(0), h = s.dim(1), wd = s.dim(2), c = s.dim(3), p = k / 2;
        float[] x = in[0].toArray(), wt = w.value.toArray(), bias = b.value.toArray();
        float[] y = new float[n * h * wd * filters];
        { // single-threaded on purpose: test machines are shared
            for (int row = 0; row < n * h; row++) {
                int img = row / h, r = row % h;
                for (int q = 0; q < wd; q++) {
                    for (int f = 0; f < filters; f++) {
                        float acc = bias[f];
                        for (int dr = 0; dr < k; dr++) {
                            int rr = r + dr - p;
                            if (rr < 0 || rr >= h) continue;
                            for (int dq = 0; dq < k; dq++) {
                                int qq = q + dq - p;
                                if (qq < 0 || qq >= wd) continue;
                                int xo = ((img * h + rr) * wd + qq) * c;
                                int wo = ((dr * k + dq) * c) * filters + f;
                                for (int ci = 0; ci < c; ci++) acc += x[xo + ci] * wt[wo + ci * filters];
                            }
                        }
                        y[((img * h + r) * wd + q) * filters + f] = relu ? Math.max(acc, 0f) : acc;
                    }
                }
            }
        }
        out.copyFrom(y);
    }

    @Override public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        throw new UnsupportedOperationException("test layer: inference only");
    }
}
