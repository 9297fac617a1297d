package io.hush.engine;

import io.hush.engine.layers.Exec;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.Param;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Finite-difference gradient checker for one layer, in the spirit of PyTorch's gradcheck but in float32.
 *
 * <p>The scalar loss is L = sum(y * R) for a fixed random R, accumulated in double, so dL/dy = R. Each checked
 * coordinate is perturbed by ±eps and (L+ - L-)/(2 eps) is compared with the analytic gradient.
 * Tolerance: the forward pass rounds each output to float32 (relative 6e-8), so L carries an absolute error of
 * roughly 6e-8 * sum|y*R|; divided by 2*eps = 2e-2 that is a few 1e-5 for the sizes used in tests, and the
 * second-order term of a central difference is O(eps^2 * f''') ~ 1e-4 for smooth activations. We accept
 * |analytic - numeric| <= atol + rtol * |numeric| with atol = 2e-3, rtol = 2e-2 by default.
 * Kinks (ReLU at 0, max-pool ties) must be kept away from by the test's choice of inputs.
 */
public final class GradCheck {
    public double eps = 1e-2;
    public double atol = 2e-3;
    public double rtol = 2e-2;
    /** At most this many coordinates per tensor (chosen at random, always including the first and last). */
    public int maxPerTensor = 60;
    public long seed = 1;
    public int threads = 1;

    /**
     * Builds {@code layer} for the given batched input shapes, fills inputs with values in [-1,1] (or the given
     * arrays), and checks input and parameter gradients. Returns the largest |analytic - numeric| seen.
     */
    public double check(Layer layer, Shape[] batchedIn, float[]... inputs) {
        SplittableRandom rng = new SplittableRandom(seed);
        try (Arena arena = Arena.ofShared(); ThreadPool pool = new ThreadPool(threads)) {
            Shape[] per = new Shape[batchedIn.length];
            for (int i = 0; i < per.length; i++) per[i] = batchedIn[i].dropBatch();
            Shape outPer = layer.outputShape(per);
            layer.createParams(per, arena);
            layer.initialize(rng);
            Shape outShape = outPer.withBatch(batchedIn[0].dim(0));
            Tensor[] in = new Tensor[batchedIn.length];
            Tensor[] gin = new Tensor[batchedIn.length];
            for (int i = 0; i < in.length; i++) {
                in[i] = Tensor.allocate(arena, batchedIn[i]);
                if (inputs.length > i && inputs[i] != null) in[i].copyFrom(inputs[i]);
                else for (long j = 0; j < in[i].size(); j++) in[i].set(j, (float) (rng.nextDouble() * 2 - 1));
                gin[i] = Tensor.allocate(arena, batchedIn[i]);
            }
            Tensor out = Tensor.allocate(arena, outShape);
            Tensor r = Tensor.allocate(arena, outShape);
            for (long j = 0; j < r.size(); j++) r.set(j, (float) (rng.nextDouble() * 2 - 1));
            Exec ex = new Exec(pool, true);
            long st = layer.stateFloats(batchedIn, outShape, threads);
            long sc = layer.scratchFloats(batchedIn, outShape, threads);
            ex.state = st > 0 ? arena.allocate(st * 4, 64) : MemorySegment.NULL;
            ex.scratch = sc > 0 ? arena.allocate(sc * 4, 64) : MemorySegment.NULL;

            layer.forward(in, out, ex);
            layer.backward(in, out, r, gin, ex);

            double worst = 0;
            for (int i = 0; i < in.length; i++) {
                worst = Math.max(worst, compare(layer + " input " + i, in[i], gin[i].toArray(), layer, in, out, r, ex, rng));
            }
            for (Param p : layer.params()) {
                if (!p.trainable) continue;
                worst = Math.max(worst, compare(layer + " param " + p.name, p.value, p.grad.toArray(), layer, in, out, r, ex, rng));
            }
            return worst;
        }
    }

    private double compare(String what, Tensor x, float[] analytic, Layer layer, Tensor[] in, Tensor out, Tensor r,
                           Exec ex, SplittableRandom rng) {
        long n = x.size();
        long count = Math.min(n, maxPerTensor);
        double worst = 0;
        for (long c = 0; c < count; c++) {
            long j = n <= maxPerTensor ? c : c == 0 ? 0 : c == 1 ? n - 1 : rng.nextLong(n);
            float orig = x.get(j);
            x.set(j, (float) (orig + eps));
            double lp = loss(layer, in, out, r, ex);
            x.set(j, (float) (orig - eps));
            double lm = loss(layer, in, out, r, ex);
            x.set(j, orig);
            double numeric = (lp - lm) / (2 * eps);
            double diff = Math.abs(analytic[(int) j] - numeric);
            worst = Math.max(worst, diff);
            if (diff > atol + rtol * Math.abs(numeric)) {
                fail(what + " [" + j + "]: analytic " + analytic[(int) j] + " vs numeric " + numeric);
            }
        }
        return worst;
    }

    private static double loss(Layer layer, Tensor[] in, Tensor out, Tensor r, Exec ex) {
        layer.forward(in, out, ex);
        double l = 0;
        for (long j = 0; j < out.size(); j++) l += (double) out.get(j) * r.get(j);
        return l;
    }
}
