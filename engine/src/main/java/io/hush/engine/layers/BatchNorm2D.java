package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.BatchNormKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batch normalisation per channel (the last axis) over all other axes of the batch: {@code [N,H,W,C]} normalises
 * over N, H and W (also accepts {@code [N,F]}, normalising each feature over N, like Keras
 * {@code BatchNormalization} after a Dense). {@code y = gamma * (x - mean) / sqrt(var + epsilon) + beta}.
 *
 * <p>Parameters: {@code "gamma"} (init 1) and {@code "beta"} (init 0) are trained; {@code "moving_mean"} (init 0)
 * and {@code "moving_variance"} (init 1) are saved but not trained ({@code trainable=false}).
 *
 * <p><b>Training mode</b> uses the batch statistics, with the biased variance (divide by N*H*W) for normalising,
 * as Keras and PyTorch do, and backward is the full gradient through the batch mean and variance. Each training
 * forward updates the running averages with the <b>Keras/ONNX momentum convention</b>
 * {@code moving = moving * momentum + batch * (1 - momentum)} (Keras default momentum 0.99, epsilon 1e-3).
 * PyTorch's {@code momentum=0.1} means the opposite weighting, i.e. Keras momentum {@code 1 - 0.1 = 0.9}, and
 * PyTorch stores the <em>unbiased</em> batch variance in {@code running_var}; {@link #pytorch} sets both. The
 * statistics are reduced deterministically (fixed pixel blocks, see {@link BatchNormKernels}), identical for any
 * thread count. <b>Inference mode</b> uses the moving statistics; {@code graph.FoldBatchNorm} can fold them into a
 * preceding Conv2D.
 */
public final class BatchNorm2D extends Layer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private final float momentum;
    private final float epsilon;
    private final boolean unbiasedRunningVariance;
    private Param gamma, beta, movingMean, movingVariance;
    private int channels = -1;

    /**
     * @param momentum Keras/ONNX convention: weight of the old moving average (0.99 in Keras, 0.9 in ONNX)
     * @param epsilon  added to the variance (1e-3 in Keras, 1e-5 in PyTorch/ONNX)
     * @param unbiasedRunningVariance store the unbiased batch variance in the moving variance (PyTorch) instead of
     *                                the biased one (Keras, ONNX)
     */
    public BatchNorm2D(float momentum, float epsilon, boolean unbiasedRunningVariance) {
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("BatchNorm2D momentum must be in [0,1] (Keras convention), got " + momentum);
        }
        if (!(epsilon > 0f) || !Float.isFinite(epsilon)) {
            throw new IllegalArgumentException("BatchNorm2D epsilon must be positive, got " + epsilon);
        }
        this.momentum = momentum;
        this.epsilon = epsilon;
        this.unbiasedRunningVariance = unbiasedRunningVariance;
    }

    /** Keras/ONNX semantics: biased variance in the moving average. */
    public BatchNorm2D(float momentum, float epsilon) {
        this(momentum, epsilon, false);
    }

    /** Keras defaults: momentum 0.99, epsilon 1e-3. */
    public BatchNorm2D() {
        this(0.99f, 1e-3f, false);
    }

    /** PyTorch {@code BatchNorm2d(momentum=torchMomentum, eps=eps)}: Keras momentum 1 - torchMomentum, unbiased running var. */
    public static BatchNorm2D pytorch(float torchMomentum, float eps) {
        return new BatchNorm2D(1f - torchMomentum, eps, true);
    }

    /** Keras convention (weight of the old average). */
    public float momentum() { return momentum; }

    public float epsilon() { return epsilon; }

    public boolean unbiasedRunningVariance() { return unbiasedRunningVariance; }

    public Param gamma() { return gamma; }

    public Param beta() { return beta; }

    public Param movingMean() { return movingMean; }

    public Param movingVariance() { return movingVariance; }

    @Override public String type() { return "BatchNorm2D"; }

    @Override
    public Shape outputShape(Shape... in) {
        if (in.length != 1) throw shapeError("expects 1 input, got " + in.length);
        if (in[0].rank() != 3 && in[0].rank() != 1) {
            throw shapeError("expects an input [H,W,C] (or [F]), got " + in[0]);
        }
        if (channels > 0 && in[0].dim(-1) != channels) {
            throw shapeError("was built for " + channels + " channels, got input " + in[0]);
        }
        return in[0];
    }

    @Override
    public void createParams(Shape[] in, Arena arena) {
        outputShape(in);
        channels = in[0].dim(-1);
        Shape c = Shape.of(channels);
        gamma = new Param("gamma", Tensor.allocate(arena, c), Tensor.allocate(arena, c), true, false);
        beta = new Param("beta", Tensor.allocate(arena, c), Tensor.allocate(arena, c), true, false);
        movingMean = new Param("moving_mean", Tensor.allocate(arena, c), Tensor.allocate(arena, c), false, false);
        movingVariance = new Param("moving_variance", Tensor.allocate(arena, c), Tensor.allocate(arena, c), false, false);
    }

    @Override
    public List<Param> params() {
        return gamma == null ? List.of() : List.of(gamma, beta, movingMean, movingVariance);
    }

    @Override
    public void initialize(SplittableRandom rng) {
        gamma.value.fill(1f);
        beta.value.fill(0f);
        movingMean.value.fill(0f);
        movingVariance.value.fill(1f);
    }

    @Override public long flops(Shape[] in, Shape out) { return 2 * out.size(); }

    private static long pad(long n) { return (n + 15) / 16 * 16; }

    /** Batch mean and 1/sqrt(var+eps), [C] each. */
    @Override
    public long stateFloats(Shape[] in, Shape out, int threads) { return 2 * pad(out.dim(-1)); }

    /** Two [blocks][C] partial-sum areas and six [C] vectors. */
    @Override
    public long scratchFloats(Shape[] in, Shape out, int threads) {
        int c = out.dim(-1);
        long pixels = out.size() / c;
        return 2 * pad((long) BatchNormKernels.blocks(pixels) * c) + 6 * pad(c);
    }

    /** Scratch/state views for one call. */
    private record Work(int c, long pixels, int blocks, MemorySegment part1, MemorySegment part2, MemorySegment v0,
                        MemorySegment v1, MemorySegment v2, MemorySegment v3, MemorySegment v4, MemorySegment v5) {}

    private static Work work(Shape batched, MemorySegment scratch) {
        int c = batched.dim(-1);
        long pixels = batched.size() / c;
        int blocks = BatchNormKernels.blocks(pixels);
        long pp = pad((long) blocks * c) * 4, pc = pad(c) * 4;
        long o = 0;
        MemorySegment p1 = scratch.asSlice(o, pp);
        MemorySegment p2 = scratch.asSlice(o += pp, pp);
        o += pp;
        MemorySegment[] v = new MemorySegment[6];
        for (int i = 0; i < 6; i++, o += pc) v[i] = scratch.asSlice(o, pc);
        return new Work(c, pixels, blocks, p1, p2, v[0], v[1], v[2], v[3], v[4], v[5]);
    }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        Work w = work(in[0].shape(), ex.scratch);
        MemorySegment x = in[0].data(), y = out.data();
        int c = w.c();
        MemorySegment scale = w.v0(), shift = w.v1();
        if (ex.training) {
            MemorySegment mean = ex.state.asSlice(0, pad(c) * 4), invstd = ex.state.asSlice(pad(c) * 4, pad(c) * 4);
            batchStats(ex, x, w, mean, w.v2());
            MemorySegment var = w.v2();
            long m = w.pixels();
            for (int k = 0; k < c; k++) {
                float mu = mean.getAtIndex(F, k), v = var.getAtIndex(F, k);
                float is = (float) (1.0 / Math.sqrt((double) v + epsilon));
                invstd.setAtIndex(F, k, is);
                float s = gamma.value.get(k) * is;
                scale.setAtIndex(F, k, s);
                shift.setAtIndex(F, k, beta.value.get(k) - mu * s);
                float runVar = unbiasedRunningVariance && m > 1 ? (float) ((double) v * m / (m - 1)) : v;
                movingMean.value.set(k, movingMean.value.get(k) * momentum + mu * (1f - momentum));
                movingVariance.value.set(k, movingVariance.value.get(k) * momentum + runVar * (1f - momentum));
            }
        } else {
            for (int k = 0; k < c; k++) {
                float s = gamma.value.get(k) * (float) (1.0 / Math.sqrt((double) movingVariance.value.get(k) + epsilon));
                scale.setAtIndex(F, k, s);
                shift.setAtIndex(F, k, beta.value.get(k) - movingMean.value.get(k) * s);
            }
        }
        long pixels = w.pixels();
        ex.pool.parallelFor(w.blocks(), (lo, hi, t) -> BatchNormKernels.normalize(x, y, scale, shift, c,
                (long) lo * BatchNormKernels.BLOCK, Math.min(pixels, (long) hi * BatchNormKernels.BLOCK)));
    }

    /** Two-pass batch mean and biased variance per channel into {@code mean} and {@code var}. */
    private static void batchStats(Exec ex, MemorySegment x, Work w, MemorySegment mean, MemorySegment var) {
        int c = w.c(), nb = w.blocks();
        long pixels = w.pixels();
        double inv = 1.0 / pixels;
        MemorySegment part = w.part1();
        ex.pool.parallelFor(nb, (lo, hi, t) -> BatchNormKernels.blockSums(x, c, pixels, part, lo, hi));
        ex.pool.parallelFor(c, (lo, hi, t) -> BatchNormKernels.reduce(part, nb, c, inv, mean, lo, hi));
        ex.pool.parallelFor(nb, (lo, hi, t) -> BatchNormKernels.blockSqDev(x, mean, c, pixels, part, lo, hi));
        ex.pool.parallelFor(c, (lo, hi, t) -> BatchNormKernels.reduce(part, nb, c, inv, var, lo, hi));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        Work w = work(in[0].shape(), ex.scratch);
        MemorySegment x = in[0].data(), g = gradOut.data();
        int c = w.c(), nb = w.blocks();
        long pixels = w.pixels();
        MemorySegment mean, invstd;
        if (ex.training) {
            mean = ex.state.asSlice(0, pad(c) * 4);
            invstd = ex.state.asSlice(pad(c) * 4, pad(c) * 4);
        } else { // gradient of the inference-mode function (running statistics are constants)
            mean = w.v4();
            invstd = w.v5();
            for (int k = 0; k < c; k++) {
                mean.setAtIndex(F, k, movingMean.value.get(k));
                invstd.setAtIndex(F, k, (float) (1.0 / Math.sqrt((double) movingVariance.value.get(k) + epsilon)));
            }
        }
        MemorySegment pg = w.part1(), pgx = w.part2();
        MemorySegment sumG = w.v0(), sumGX = w.v1();
        ex.pool.parallelFor(nb, (lo, hi, t) -> BatchNormKernels.blockGradSums(g, x, mean, c, pixels, pg, pgx, lo, hi));
        ex.pool.parallelFor(c, (lo, hi, t) -> {
            BatchNormKernels.reduce(pg, nb, c, 1.0, sumG, lo, hi);
            BatchNormKernels.reduce(pgx, nb, c, 1.0, sumGX, lo, hi);
        });
        MemorySegment a = w.v2(), mg = w.v3(), q = w.part2(); // part2 is free again once reduced
        for (int k = 0; k < c; k++) {
            float is = invstd.getAtIndex(F, k), sg = sumG.getAtIndex(F, k), sgx = sumGX.getAtIndex(F, k);
            beta.grad.set(k, sg);
            gamma.grad.set(k, sgx * is);
            a.setAtIndex(F, k, gamma.value.get(k) * is);
            if (ex.training) {
                mg.setAtIndex(F, k, (float) (sg / (double) pixels));
                q.setAtIndex(F, k, (float) ((double) sgx * is * is / pixels));
            } else {
                mg.setAtIndex(F, k, 0f);
                q.setAtIndex(F, k, 0f);
            }
        }
        if (gradIn[0] == null) return;
        MemorySegment dx = gradIn[0].data();
        ex.pool.parallelFor(nb, (lo, hi, t) -> BatchNormKernels.backwardDx(g, x, dx, a, mg, mean, q, c,
                (long) lo * BatchNormKernels.BLOCK, Math.min(pixels, (long) hi * BatchNormKernels.BLOCK)));
    }

    @Override
    public String toString() {
        return super.toString() + " (momentum " + momentum + ", epsilon " + epsilon + (unbiasedRunningVariance ? ", unbiased" : "") + ")";
    }
}
