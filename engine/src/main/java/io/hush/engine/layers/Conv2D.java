package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.Shape;
import io.hush.engine.kernels.ConvGeom;
import io.hush.engine.kernels.ConvKernels;

import java.util.SplittableRandom;

/**
 * 2-D convolution (Keras {@code Conv2D}, ONNX/PyTorch {@code Conv} with group 1) with an optional bias and a
 * fused activation. Input {@code [H,W,Cin]}, output {@code [OH,OW,filters]}.
 *
 * <p>Parameters: {@code "kernel"} {@code [KH,KW,Cin,Cout]} (HWIO, Keras's layout: {@code out[oy,ox,co] =
 * sum kernel[i,j,ci,co] * in[oy*sh - padTop + i*dh, ox*sw - padLeft + j*dw, ci]}) and {@code "bias"}
 * {@code [Cout]}. A PyTorch/ONNX weight {@code [Cout,Cin,KH,KW]} maps as {@code kernel[i,j,ci,co] = W[co,ci,i,j]}.
 *
 * <p>Padding: a {@link Pad}: SAME/VALID with Keras/TensorFlow semantics (SAME: output {@code ceil(in/stride)}, the
 * smaller half of an odd total padding at the top/left), or explicit (top, bottom, left, right) pads as ONNX/PyTorch
 * carry them ({@link #withPads}). Window, padding, kernel and bias plumbing: {@link ConvLayer}.
 *
 * <p>Kernels: {@link ConvKernels} (see there for which kernel runs); {@link io.hush.engine.kernels.ConvScalar}
 * is the reference they are tested against. Backward: {@code gradPre = gradOut * act'(out)} (in scratch), then
 * kernel gradient (per-thread partial sums in scratch, reduced in thread order), bias gradient, and the input
 * gradient only when it is wanted.
 */
public final class Conv2D extends ConvLayer {
    /** {@code kernel x kernel}, stride 1, SAME padding, with bias. */
    public Conv2D(int filters, int kernel, Activation activation) {
        this(filters, new Window2D(kernel, kernel, 1, 1, 1, 1), Pad.SAME, true, activation);
    }

    /** {@code kernel x kernel}, stride 1, SAME, bias, linear. */
    public Conv2D(int filters, int kernel) {
        this(filters, kernel, Activation.LINEAR);
    }

    /** Square kernel and stride with a padding mode, bias, no dilation. */
    public Conv2D(int filters, int kernel, int stride, Padding padding, Activation activation) {
        this(filters, new Window2D(kernel, kernel, stride, stride, 1, 1), Pad.of(padding), true, activation);
    }

    /** Every Keras setting. */
    public Conv2D(int filters, int kernelH, int kernelW, int strideH, int strideW, Padding padding,
                  int dilationH, int dilationW, boolean useBias, Activation activation) {
        this(filters, new Window2D(kernelH, kernelW, strideH, strideW, dilationH, dilationW), Pad.of(padding), useBias,
                activation);
    }

    /** Any window and padding (SAME, VALID or explicit). */
    public Conv2D(int filters, Window2D window, Pad pad, boolean useBias, Activation activation) {
        super(filters, window, pad, useBias, activation);
    }

    /** Explicit pads (ONNX {@code pads = [top, left, bottom, right]} reorders to these arguments). */
    public static Conv2D withPads(int filters, int kernelH, int kernelW, int strideH, int strideW,
                                  int padTop, int padBottom, int padLeft, int padRight,
                                  int dilationH, int dilationW, boolean useBias, Activation activation) {
        return new Conv2D(filters, new Window2D(kernelH, kernelW, strideH, strideW, dilationH, dilationW),
                Pad.explicit(padTop, padBottom, padLeft, padRight), useBias, activation);
    }

    /**
     * {@link KernelStorage#INT8}: the kernel stays int8 in memory ({@link Int8Kernel}, a quarter of the float32 size);
     * each forward pass widens it into scratch and packs from there (inference only). Before the model is built.
     */
    @Override
    public Conv2D kernelStorage(KernelStorage s) {
        params.storage(this, s);
        return this;
    }

    /** The (top, bottom, left, right) pads used for an {@code h x w} input (explicit pads: those). */
    public Pad.Explicit padsFor(int h, int w) { return resolvedPads(h, w); }

    @Override public String type() { return "Conv2D"; }

    @Override
    public Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        checkChannels(in[0]);
        int[] o = slideOutput(in[0]);
        return Shape.of(o[0], o[1], filters());
    }

    /** Convolution geometry for a batched input {@code [N,H,W,C]}. */
    @Override
    public ConvGeom geometry(Shape batchedIn) {
        Shape out = outputShape(batchedIn.dropBatch());
        Pad.Explicit p = resolvedPads(batchedIn.dim(1), batchedIn.dim(2));
        return new ConvGeom(batchedIn.dim(0), batchedIn.dim(1), batchedIn.dim(2), batchedIn.dim(3),
                out.dim(0), out.dim(1), filters(), kernelH(), kernelW(), strideH(), strideW(), dilationH(), dilationW(),
                p.top(), p.left());
    }

    @Override long outputPixels(ConvGeom g) { return (long) g.n() * g.oh() * g.ow(); }

    /** fan_in = KH*KW*Cin, fan_out = KH*KW*Cout (Keras and PyTorch agree for Conv2D). */
    @Override
    public void initialize(SplittableRandom rng, Init init) {
        double taps = (double) kernelH() * kernelW();
        params.initialize(init, taps * kernel().value.shape().dim(2), taps * filters(), rng);
    }

    @Override
    public long flops(Shape[] in, Shape out) {
        return 2L * out.size() * kernelH() * kernelW() * in[0].dim(2) + (useBias() ? out.size() : 0);
    }

    @Override
    public String toString() { return super.toString() + " (" + settings() + ")"; }
}
