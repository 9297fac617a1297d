package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.ConvGeom;
import io.hush.engine.kernels.ConvKernels;
import io.hush.engine.kernels.FusedActivation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The common part of Conv2D and Conv2DTranspose: filter count, window and padding ({@link WindowLayer}), kernel
 * {@code [KH,KW,Cin,filters]} and bias {@code [filters]} ({@link KernelBias}), the fused activation and its backward
 * step, checked and planned here once, and both passes on {@link ConvKernels}. Subclasses give the output size, the
 * geometry and the initialisation fans.
 *
 * <p>A Conv2D runs its geometry forwards. A Conv2DTranspose runs it backwards: its forward pass is the input gradient
 * of the convolution that maps its output back to its input, its input gradient is that convolution's forward pass,
 * and its kernel {@code [KH,KW,Cin,filters]} is read per-tap transposed ({@code kernelOI}).
 */
public abstract sealed class ConvLayer extends WindowLayer implements KernelLayer permits Conv2D, Conv2DTranspose {
    private final int filters;
    private final Activation activation;
    final KernelBias params;
    private final boolean transposed;

    ConvLayer(int filters, Window2D window, Pad pad, boolean useBias, Activation activation) {
        super(window, pad);
        if (filters < 1) throw new IllegalArgumentException(type() + ": filters must be >= 1, got " + filters);
        if (activation == null) throw new IllegalArgumentException(type() + ": activation is null (use Activation.LINEAR)");
        this.activation = activation;
        this.filters = filters;
        this.params = new KernelBias(useBias);
        this.transposed = this instanceof Conv2DTranspose;
    }

    public int filters() { return filters; }
    public boolean useBias() { return params.useBias(); }
    public Activation activation() { return activation; }

    /** {@code [KH,KW,Cin,Cout]}; null before the model is built. */
    @Override public Param kernel() { return params.kernel(); }

    /** {@code [Cout]}; null without bias or before the model is built. */
    public Param bias() { return params.bias(); }

    @Override public KernelStorage kernelStorage() { return params.storage(); }

    /** The geometry of the convolution this layer runs (or transposes) for a batched input {@code [N,H,W,C]}. */
    public abstract ConvGeom geometry(Shape batchedIn);

    /** Pixels of this layer's batched output {@code [N,OH,OW,filters]} for the geometry (the bias gradient sums them). */
    abstract long outputPixels(ConvGeom g);

    /** The input-channel check of a built layer. */
    void checkChannels(Shape in) {
        Param k = params.kernel();
        if (k != null && k.value.shape().dim(2) != in.dim(2)) {
            throw shapeError("was built for " + k.value.shape().dim(2) + " input channels, got input " + in);
        }
    }

    @Override
    public void createParams(Shape[] in, Arena arena) {
        outputShape(in);
        params.create(arena, Shape.of(kernelH(), kernelW(), in[0].dim(2), filters));
    }

    @Override
    public List<Param> params() { return params.params(); }

    @Override
    public long scratchFloats(Shape[] in, Shape out, int threads) {
        ConvGeom g = geometry(in[0]);
        // an int8 kernel is widened into scratch for the forward pass, which uses no other scratch
        return Math.max(gradPreFloats(g) + ConvKernels.weightGradScratch(g, threads),
                kernelStorage() == KernelStorage.INT8 ? g.kernelSize() : 0);
    }

    /** Floats of the {@code gradOut * act'(out)} buffer at the start of scratch (none for a linear activation). */
    long gradPreFloats(ConvGeom g) {
        return activation.kind() == Activation.Kind.LINEAR ? 0 : (outputPixels(g) * filters + 15) & ~15L;
    }

    @Override
    public void initialize(SplittableRandom rng) { initialize(rng, Init.GLOROT_UNIFORM); }

    @Override
    public final void forward(Tensor[] in, Tensor out, Exec ex) {
        ConvGeom g = geometry(in[0].shape());
        MemorySegment x = in[0].data(), w = Int8Kernel.weights(kernel(), ex, this), y = out.data();
        // the activation is applied by the kernels (as they store, where they can)
        if (transposed) ConvKernels.backwardData(ex.pool, g, x, w, true, params.biasData(), activation, y);
        else ConvKernels.forward(ex.pool, g, x, w, false, params.biasData(), activation, y);
    }

    /**
     * {@code gradPre = gradOut * act'(out)} (in scratch), then the kernel gradient (per-thread partial sums in scratch,
     * reduced in thread order), the bias gradient, and the input gradient only when it is wanted.
     */
    @Override
    public final void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        Param kernel = kernel();
        if (kernel.int8 != null) throw Int8Kernel.notTrainable(this);
        ConvGeom g = geometry(in[0].shape());
        MemorySegment x = in[0].data(), gp = gradPre(out, gradOut, ex), rest = afterGradPre(g, ex);
        // transposed: dW_conv[tap][filters][Cin] = sum gp (conv input) x in (conv output); ours is its per-tap transpose
        if (transposed) ConvKernels.weightGrad(ex.pool, g, gp, x, kernel.grad.data(), true, rest);
        else ConvKernels.weightGrad(ex.pool, g, x, gp, kernel.grad.data(), false, rest);
        if (useBias()) ConvKernels.biasGrad(ex.pool, gp, outputPixels(g), filters, bias().grad.data());
        if (gradIn[0] != null) {
            MemorySegment w = kernel.value.data(), gx = gradIn[0].data();
            if (transposed) ConvKernels.forward(ex.pool, g, gp, w, true, MemorySegment.NULL, gx);
            else ConvKernels.backwardData(ex.pool, g, gp, w, false, MemorySegment.NULL, gx);
        }
    }

    /** {@code gradOut * act'(out)} into scratch (or gradOut itself for a linear activation). */
    MemorySegment gradPre(Tensor out, Tensor gradOut, Exec ex) {
        if (activation.kind() == Activation.Kind.LINEAR) return gradOut.data();
        long n = out.size();
        MemorySegment gp = ex.scratch.asSlice(0, n * 4);
        FusedActivation.mulDerivFromOutput(ex.pool, activation, out.data(), gradOut.data(), gp, n);
        return gp;
    }

    /** The scratch after the {@link #gradPre} buffer. */
    MemorySegment afterGradPre(ConvGeom g, Exec ex) {
        return ex.scratch.asSlice(gradPreFloats(g) * 4);
    }

    /** The settings after the layer's name, e.g. "16 filters, 3x3, strides 1x1, SAME, relu". */
    String settings() {
        return filters + " filters, " + window() + ", " + pad() + ", " + activation;
    }
}
