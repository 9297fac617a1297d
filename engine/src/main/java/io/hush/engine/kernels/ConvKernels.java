package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;

import java.lang.foreign.MemorySegment;

/**
 * The convolution entry points the layers call: for each call, the one place that picks which implementation runs a
 * geometry ({@link #forwardPath}, {@link #backwardDataPath}, {@link #weightGradPath}) and says why. Tensors are NHWC,
 * the kernel {@code [kh,kw,cin,cout]} or, with {@code kernelOI}, {@code [kh,kw,cout,cin]} (see {@link ConvGeom}).
 *
 * <p>Every implementation computes the same contract as the scalar reference ({@link ConvScalar}); they differ in
 * speed only, and in the rounding of the float sums. {@code -Dhush.kernels=scalar} ({@link KernelSet}) makes every
 * choice {@code SCALAR}: the reference, single-threaded. The SIMD implementations are bit-identical for any thread
 * count (each output element is computed by one thread in a fixed order; weight-gradient partial sums are reduced in
 * thread order).
 */
public final class ConvKernels {
    private ConvKernels() {}

    /** Implementations of the forward pass (also the input gradient of a transposed convolution). */
    public enum Forward {
        /** {@link ConvScalar#forward}: the reference. */
        SCALAR,
        /**
         * {@link ConvSimd#forwardSmallCout}: lanes over the reduction (kernel column x input channel), one output channel
         * at a time. Needs dilation 1 along W (the reduction is then contiguous).
         */
        SMALL_COUT,
        /** {@link ConvWinograd4}: Winograd F(4x4,3x3), 4x fewer multiplies. 3x3, stride 1, dilation 1, pads up to 2. */
        WINOGRAD_4X4,
        /** {@link ConvWinograd}: Winograd F(2x2,3x3), 2.25x fewer multiplies. Same geometries as F(4x4). */
        WINOGRAD_2X2,
        /** {@link ConvSimd#forwardDirect}: the direct micro-kernel, lanes over output channels. Any geometry. */
        DIRECT;

        /** Whether this implementation computes {@code g} at all (whether it pays is {@link #forwardPath}'s call). */
        public boolean supports(ConvGeom g) {
            return switch (this) {
                case SCALAR, DIRECT -> true;
                case SMALL_COUT -> g.dw() == 1;
                case WINOGRAD_4X4, WINOGRAD_2X2 -> ConvWinograd.supports(g);
            };
        }
    }

    /** Implementations of the input gradient (also the forward pass of a transposed convolution). */
    public enum BackwardData {
        /** {@link ConvScalar#backwardData}: the reference. */
        SCALAR,
        /** {@link ConvWinograd#backwardData}: the flipped kernel's forward F(2x2,3x3). 3x3, stride 1, dilation 1, pads up to 2. */
        WINOGRAD_2X2,
        /** {@link ConvSimd#backwardDataDirect}: the direct micro-kernel per stride phase. Any geometry. */
        DIRECT;

        /** Whether this implementation computes {@code g} at all. */
        public boolean supports(ConvGeom g) {
            return this != WINOGRAD_2X2 || ConvWinograd.supports(g);
        }
    }

    /** Implementations of the kernel gradient. All compute any geometry. */
    public enum WeightGrad {
        /** {@link ConvScalar#weightGrad}: the reference. */
        SCALAR,
        /** {@link ConvSimd#weightGradSmallCout}: lanes over input channels. */
        SMALL_COUT,
        /** {@link ConvSimd#weightGradDirect}: lanes over output channels. */
        DIRECT
    }

    /**
     * The forward implementation for {@code g}. Few output channels (at most one vector's worth, e.g. a denoiser's
     * last layer): a block of two vectors of output channels would be mostly padding, so vectorise the reduction,
     * provided it is at least a vector long. 3x3 stride 1: the direct micro-kernel already runs near the FMA peak, so
     * fewer multiplies is the only way to be faster; the Winograd transforms cost O(channels) per tile against
     * O(cin*cout) products, which pays from 32 channels for F(4x4,3x3) (larger transforms) and from 16 for F(2x2,3x3).
     */
    public static Forward forwardPath(ConvGeom g) {
        return forwardPath(g, WINOGRAD_MIN_PIXELS);
    }

    /** {@link #forwardPath(ConvGeom)} with Winograd from {@code winogradMinPixels} output pixels. */
    static Forward forwardPath(ConvGeom g, int winogradMinPixels) {
        if (KernelSet.SCALAR_ONLY) return Forward.SCALAR;
        if (2 * g.cout() <= ConvSimd.L && g.kw() * g.cin() >= ConvSimd.L && Forward.SMALL_COUT.supports(g)) {
            return Forward.SMALL_COUT;
        }
        boolean enoughPixels = (long) g.n() * g.oh() * g.ow() >= winogradMinPixels;
        if (enoughPixels && ConvWinograd.supports(g) && g.cin() >= 32 && g.cout() >= 32) return Forward.WINOGRAD_4X4;
        if (enoughPixels && ConvWinograd.supports(g) && g.cin() >= 16 && g.cout() >= 16) return Forward.WINOGRAD_2X2;
        return Forward.DIRECT;
    }

    /**
     * Output pixels (batch x height x width) below which the forward stays direct: a small map is few tiles (a 14x14
     * map is 16 tiles of F(4x4), 30% of them padding), too few to amortise the per-call kernel transform and to keep
     * two threads busy. With it, seed inference at batch 1 (the 14x14x32->64 layer) measured faster on 1 and 2 threads.
     * {@code -Dhush.winogradMinPixels=N} sets it (the tests use 0, so that the Winograd kernels also meet small shapes).
     */
    static final int WINOGRAD_MIN_PIXELS = Integer.getInteger("hush.winogradMinPixels", 1024);

    /**
     * The backward-data implementation for {@code g}: F(2x2,3x3) where its forward would be picked (it is the
     * forward of the flipped kernel with cin and cout swapped, so it pays from 16 channels both ways); F(4x4,3x3)'s
     * larger rounding error is kept out of training. Else direct.
     */
    public static BackwardData backwardDataPath(ConvGeom g) {
        if (KernelSet.SCALAR_ONLY) return BackwardData.SCALAR;
        if (ConvWinograd.supports(g) && g.cin() >= 16 && g.cout() >= 16) return BackwardData.WINOGRAD_2X2;
        return BackwardData.DIRECT;
    }

    /** The weight-gradient implementation: lanes over input channels when the output channels fill at most half a block. */
    public static WeightGrad weightGradPath(ConvGeom g) {
        if (KernelSet.SCALAR_ONLY) return WeightGrad.SCALAR;
        return 2 * g.cout() <= ConvSimd.L ? WeightGrad.SMALL_COUT : WeightGrad.DIRECT;
    }

    /** {@code out = conv(in, w) + bias} (bias {@code [cout]} or {@link MemorySegment#NULL}); see {@link ConvScalar#forward}. */
    public static void forward(ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment w, boolean kernelOI,
                               MemorySegment bias, MemorySegment out) {
        forward(pool, g, in, w, kernelOI, bias, Activation.LINEAR, out);
    }

    /**
     * {@code out = act(conv(in, w) + bias)}. ReLU and LeakyReLU are applied by the direct and Winograd kernels as they
     * store their results ({@link #storesRectified}): no second pass over the output, which for a 64-channel layer
     * is as much memory traffic as the convolution's own. Other activations, and the other implementations, apply
     * it in a pass after ({@link FusedActivation#applyInPlace}). Either way the values are bit for bit the same.
     */
    public static void forward(ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment w, boolean kernelOI,
                               MemorySegment bias, Activation act, MemorySegment out) {
        forward(forwardPath(g), pool, g, in, w, kernelOI, bias, act, out);
    }

    /** {@link #forward} by the given implementation, which must {@link Forward#supports support} {@code g}. */
    static void forward(Forward path, ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment w, boolean kernelOI,
                        MemorySegment bias, MemorySegment out) {
        forward(path, pool, g, in, w, kernelOI, bias, Activation.LINEAR, out);
    }

    /** {@link #forward} with an activation, by the given implementation. */
    static void forward(Forward path, ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment w, boolean kernelOI,
                        MemorySegment bias, Activation act, MemorySegment out) {
        if (!path.supports(g)) throw new IllegalArgumentException(path + " does not compute " + g);
        boolean fused = storesRectified(act) && switch (path) {
            case DIRECT, WINOGRAD_4X4, WINOGRAD_2X2 -> true;
            case SCALAR, SMALL_COUT -> false;
        };
        float slope = fused ? slope(act) : 1f;
        switch (path) {
            case SCALAR -> ConvScalar.forward(g, in, w, kernelOI, bias, out);
            case SMALL_COUT -> ConvSimd.forwardSmallCout(pool, g, in, w, kernelOI, bias, out);
            case WINOGRAD_4X4 -> ConvWinograd4.forward(pool, g, in, w, kernelOI, bias, out, slope);
            case WINOGRAD_2X2 -> ConvWinograd.forward(pool, g, in, w, kernelOI, bias, out, slope);
            case DIRECT -> ConvSimd.forwardDirect(pool, g, in, w, kernelOI, bias, out, slope);
        }
        if (!fused) FusedActivation.applyInPlace(pool, act, out, g.outSize());
    }

    /** Whether {@code act} is one the kernels can apply as they store: {@code x > 0 ? x : slope*x}. */
    static boolean storesRectified(Activation act) {
        return act.kind() == Activation.Kind.RELU || act.kind() == Activation.Kind.LEAKY_RELU;
    }

    /** The negative slope of a rectifier: 0 for ReLU, alpha for LeakyReLU. */
    private static float slope(Activation act) {
        return act.kind() == Activation.Kind.RELU ? 0f : act.alpha();
    }

    /**
     * {@code gin = bias + conv^T(gout, w)}, written (bias {@code [cin]} or NULL); see {@link ConvScalar#backwardData}.
     */
    public static void backwardData(ThreadPool pool, ConvGeom g, MemorySegment gout, MemorySegment w, boolean kernelOI,
                                    MemorySegment bias, MemorySegment gin) {
        backwardData(pool, g, gout, w, kernelOI, bias, Activation.LINEAR, gin);
    }

    /**
     * {@code gin = act(bias + conv^T(gout, w))}: a transposed convolution's forward pass with its activation, which
     * the direct kernel applies as it stores (ReLU, LeakyReLU), as in {@link #forward}.
     */
    public static void backwardData(ThreadPool pool, ConvGeom g, MemorySegment gout, MemorySegment w, boolean kernelOI,
                                    MemorySegment bias, Activation act, MemorySegment gin) {
        backwardData(backwardDataPath(g), pool, g, gout, w, kernelOI, bias, act, gin);
    }

    /** {@link #backwardData} by the given implementation, which must support {@code g}. */
    static void backwardData(BackwardData path, ThreadPool pool, ConvGeom g, MemorySegment gout, MemorySegment w,
                             boolean kernelOI, MemorySegment bias, MemorySegment gin) {
        backwardData(path, pool, g, gout, w, kernelOI, bias, Activation.LINEAR, gin);
    }

    /** {@link #backwardData} with an activation, by the given implementation. */
    static void backwardData(BackwardData path, ThreadPool pool, ConvGeom g, MemorySegment gout, MemorySegment w,
                             boolean kernelOI, MemorySegment bias, Activation act, MemorySegment gin) {
        if (!path.supports(g)) throw new IllegalArgumentException(path + " does not compute " + g);
        boolean fused = path == BackwardData.DIRECT && storesRectified(act);
        switch (path) {
            case SCALAR -> ConvScalar.backwardData(g, gout, w, kernelOI, bias, gin);
            case WINOGRAD_2X2 -> ConvWinograd.backwardData(pool, g, gout, w, kernelOI, bias, gin);
            case DIRECT -> ConvSimd.backwardDataDirect(pool, g, gout, w, kernelOI, bias, gin, fused ? slope(act) : 1f);
        }
        if (!fused) FusedActivation.applyInPlace(pool, act, gin, g.inSize());
    }

    /** Floats of scratch {@link #weightGrad} needs with this many threads (per-thread partial sums). */
    public static long weightGradScratch(ConvGeom g, int threads) {
        return ConvSimd.weightGradScratch(g, threads);
    }

    /**
     * Writes {@code dw = sum over pixels of in * gout} ({@code [kh,kw,cin,cout]}, or {@code [kh,kw,cout,cin]} with
     * {@code kernelOI}); {@code scratch} holds {@link #weightGradScratch} floats. See {@link ConvScalar#weightGrad}.
     */
    public static void weightGrad(ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment gout, MemorySegment dw,
                                  boolean kernelOI, MemorySegment scratch) {
        weightGrad(weightGradPath(g), pool, g, in, gout, dw, kernelOI, scratch);
    }

    /** {@link #weightGrad} by the given implementation. */
    static void weightGrad(WeightGrad path, ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment gout,
                           MemorySegment dw, boolean kernelOI, MemorySegment scratch) {
        switch (path) {
            case SCALAR -> ConvScalar.weightGrad(g, in, gout, dw, kernelOI);
            case SMALL_COUT -> ConvSimd.weightGradSmallCout(pool, g, in, gout, dw, kernelOI, scratch);
            case DIRECT -> ConvSimd.weightGradDirect(pool, g, in, gout, dw, kernelOI, scratch);
        }
    }

    /** Writes {@code db[c] = sum over pixels of g[p, c]}, g {@code [pixels, c]}; see {@link ConvScalar#biasGrad}. */
    public static void biasGrad(ThreadPool pool, MemorySegment g, long pixels, int c, MemorySegment db) {
        if (KernelSet.SCALAR_ONLY) ConvScalar.biasGrad(g, pixels, c, db);
        else ConvSimd.biasGrad(pool, g, pixels, c, db);
    }
}
