package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.Shape;
import io.hush.engine.kernels.ConvGeom;
import io.hush.engine.kernels.ConvKernels;

import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * Transposed 2-D convolution (Keras {@code Conv2DTranspose}, PyTorch {@code ConvTranspose2d}, ONNX
 * {@code ConvTranspose} with group 1) with optional bias and fused activation. Input {@code [H,W,Cin]}, output
 * {@code [OH,OW,filters]}:
 * {@code out[y,x,co] = bias[co] + sum over (iy,ix,i,j) with y = iy*sh - padTop + i*dh, x = ix*sw - padLeft + j*dw
 * of in[iy,ix,ci] * kernel[i,j,ci,co]}.
 *
 * <p><b>Kernel layout</b> {@code "kernel"}: {@code [KH,KW,Cin,Cout]} (Cin = this layer's input channels, Cout =
 * filters), so vector lanes run over output channels. Mapping of foreign weights:
 * <ul>
 *   <li>Keras {@code Conv2DTranspose} kernel {@code [KH,KW,Cout,Cin]}: {@code kernel[i,j,ci,co] = K[i,j,co,ci]}
 *       (swap the last two axes; no flip).</li>
 *   <li>PyTorch {@code ConvTranspose2d.weight} / ONNX {@code ConvTranspose} W {@code [Cin,Cout,KH,KW]}:
 *       {@code kernel[i,j,ci,co] = W[ci,co,i,j]} (no flip).</li>
 * </ul>
 * {@code "bias"} is {@code [Cout]}.
 *
 * <p><b>Output size</b> along each axis, {@code eff = (k-1)*d + 1}:
 * <ul>
 *   <li>Keras modes, no output padding: VALID {@code in*s + max(eff - s, 0)}, padTop 0; SAME {@code in*s},
 *       padTop {@code max(eff - s, 0) / 2}.</li>
 *   <li>Keras modes with output padding {@code op}: {@code (in-1)*s + eff - 2*pad + op} with pad = {@code eff/2}
 *       (SAME) or 0 (VALID); padTop is TensorFlow's, {@code max((in-1)*s + eff - out, 0) / 2} (the split of the
 *       forward convolution's SAME padding; note it differs from PyTorch's {@code padding=eff/2}).</li>
 *   <li>Explicit pads (PyTorch/ONNX, {@link Pad.Explicit}, {@link #withPads}): {@code (in-1)*s - padTop - padBottom + eff + op}.</li>
 * </ul>
 *
 * <p>Computation: the forward pass is the input-gradient of the convolution that maps this layer's output back
 * to its input, and the input-gradient is that convolution's forward pass; both run on {@link ConvKernels}.
 */
public final class Conv2DTranspose extends ConvLayer {
    private final OptionalInt outPadH, outPadW; // empty: none (Keras output_padding=None)

    /** Square kernel and stride, Keras padding mode, bias, no output padding. */
    public Conv2DTranspose(int filters, int kernel, int stride, Padding padding, Activation activation) {
        this(filters, new Window2D(kernel, kernel, stride, stride, 1, 1), Pad.of(padding), OptionalInt.empty(),
                OptionalInt.empty(), true, activation);
    }

    /** Every Keras setting; {@code outputPaddingH/W = -1} means none (Keras {@code output_padding=None}). */
    public Conv2DTranspose(int filters, int kernelH, int kernelW, int strideH, int strideW, Padding padding,
                           int outputPaddingH, int outputPaddingW, int dilationH, int dilationW, boolean useBias,
                           Activation activation) {
        this(filters, new Window2D(kernelH, kernelW, strideH, strideW, dilationH, dilationW), Pad.of(padding),
                noneIfMinusOne(outputPaddingH), noneIfMinusOne(outputPaddingW), useBias, activation);
    }

    /**
     * Any window and padding, and output padding along H and W (both present or both empty; each {@code >= 0} and
     * smaller than the stride or the dilation along its axis).
     */
    public Conv2DTranspose(int filters, Window2D window, Pad pad, OptionalInt outputPaddingH, OptionalInt outputPaddingW,
                           boolean useBias, Activation activation) {
        super(filters, window, pad, useBias, activation);
        if (outputPaddingH.isPresent() != outputPaddingW.isPresent()) {
            throw new IllegalArgumentException(type() + ": output padding is given along one axis only (" + outputPaddingH
                    + ", " + outputPaddingW + ")");
        }
        if (outputPaddingH.isPresent() && (outputPaddingH.getAsInt() < 0 || outputPaddingW.getAsInt() < 0
                || outputPaddingH.getAsInt() >= Math.max(window.strideH(), window.dilationH())
                || outputPaddingW.getAsInt() >= Math.max(window.strideW(), window.dilationW()))) {
            throw new IllegalArgumentException(type() + "(" + window + "): output padding " + outputPaddingH.getAsInt()
                    + "x" + outputPaddingW.getAsInt() + " must be >= 0 and smaller than the stride or dilation");
        }
        this.outPadH = outputPaddingH;
        this.outPadW = outputPaddingW;
    }

    private static OptionalInt noneIfMinusOne(int v) {
        return v == -1 ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /**
     * Explicit pads as PyTorch/ONNX carry them (ONNX {@code pads = [top, left, bottom, right]} reorders to these
     * arguments) and output padding (0 for none; -1 also means none).
     */
    public static Conv2DTranspose withPads(int filters, int kernelH, int kernelW, int strideH, int strideW,
                                           int padTop, int padBottom, int padLeft, int padRight,
                                           int outputPaddingH, int outputPaddingW, int dilationH, int dilationW,
                                           boolean useBias, Activation activation) {
        return new Conv2DTranspose(filters, new Window2D(kernelH, kernelW, strideH, strideW, dilationH, dilationW),
                Pad.explicit(padTop, padBottom, padLeft, padRight), noneIfMinusOne(outputPaddingH),
                noneIfMinusOne(outputPaddingW), useBias, activation);
    }

    /** Output padding along H, or empty for none (Keras {@code output_padding=None}). */
    public OptionalInt outputPaddingH() { return outPadH; }

    /** Output padding along W, or empty for none. */
    public OptionalInt outputPaddingW() { return outPadW; }

    /**
     * {@link KernelStorage#INT8}: the kernel stays int8 in memory ({@link Int8Kernel}, a quarter of the float32 size);
     * each forward pass widens it into scratch and packs from there (inference only). Before the model is built.
     */
    @Override
    public Conv2DTranspose kernelStorage(KernelStorage s) {
        params.storage(this, s);
        return this;
    }

    /** {out, padBefore} along one axis for input size {@code in}. */
    private int[] axis(int in, int k, int s, int d, OptionalInt op, int padBefore, int padAfter) {
        int eff = (k - 1) * d + 1;
        if (pad() instanceof Pad.Explicit) return new int[]{(in - 1) * s - padBefore - padAfter + eff + op.orElse(0), padBefore};
        int out;
        if (op.isEmpty()) {
            if (pad() instanceof Pad.Valid) return new int[]{in * s + Math.max(eff - s, 0), 0};
            out = in * s;
        } else {
            int pad = pad() instanceof Pad.Same ? eff / 2 : 0;
            out = (in - 1) * s + eff - 2 * pad + op.getAsInt();
        }
        return new int[]{out, Math.max((in - 1) * s + eff - out, 0) / 2};
    }

    private int[] axisH(int h) {
        Pad.Explicit p = pad() instanceof Pad.Explicit e ? e : null;
        return axis(h, kernelH(), strideH(), dilationH(), outPadH, p == null ? 0 : p.top(), p == null ? 0 : p.bottom());
    }

    private int[] axisW(int w) {
        Pad.Explicit p = pad() instanceof Pad.Explicit e ? e : null;
        return axis(w, kernelW(), strideW(), dilationW(), outPadW, p == null ? 0 : p.left(), p == null ? 0 : p.right());
    }

    /**
     * The {top, bottom, left, right} crop of the full transposed output {@code (in-1)*s + eff} for an input of
     * h x w; a negative bottom/right crop means extra output rows/columns (output padding).
     */
    public int[] cropsFor(int h, int w) {
        int[] y = axisH(h), x = axisW(w);
        Window2D win = window();
        return new int[]{y[1], (h - 1) * win.strideH() + win.extentH() - y[1] - y[0],
                x[1], (w - 1) * win.strideW() + win.extentW() - x[1] - x[0]};
    }

    @Override public String type() { return "Conv2DTranspose"; }

    @Override
    public Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        Shape s = in[0];
        checkChannels(s);
        int oh = axisH(s.dim(0))[0], ow = axisW(s.dim(1))[0];
        if (oh < 1 || ow < 1) throw shapeError("output would be " + oh + "x" + ow + " for input " + s + " (" + pad() + ")");
        return Shape.of(oh, ow, filters());
    }

    /**
     * Geometry of the convolution this layer transposes: its input is this layer's output {@code [N,OH,OW,filters]},
     * its output is this layer's input {@code [N,H,W,Cin]}.
     */
    @Override
    public ConvGeom geometry(Shape batchedIn) {
        Shape out = outputShape(batchedIn.dropBatch());
        int pt = axisH(batchedIn.dim(1))[1], pl = axisW(batchedIn.dim(2))[1];
        return new ConvGeom(batchedIn.dim(0), out.dim(0), out.dim(1), filters(), batchedIn.dim(1), batchedIn.dim(2),
                batchedIn.dim(3), kernelH(), kernelW(), strideH(), strideW(), dilationH(), dilationW(), pt, pl);
    }

    /** This layer's output is the geometry's input {@code [N,H,W,Cin]}. */
    @Override long outputPixels(ConvGeom g) { return (long) g.n() * g.h() * g.w(); }

    /**
     * Glorot: fan sum KH*KW*(Cin+Cout), as Keras. PyTorch's default takes fan_in from dimension 1 of its
     * [Cin,Cout,KH,KW] weight: KH*KW*Cout.
     */
    @Override
    public void initialize(SplittableRandom rng, Init init) {
        double cin = kernel().value.shape().dim(2), taps = (double) kernelH() * kernelW();
        double fanIn = init == Init.TORCH_DEFAULT ? taps * filters() : taps * cin;
        double fanOut = init == Init.TORCH_DEFAULT ? taps * cin : taps * filters();
        params.initialize(init, fanIn, fanOut, rng);
    }

    /** Multiply-adds of every input pixel with every tap, times 2 (+ bias). */
    @Override
    public long flops(Shape[] in, Shape out) {
        Shape s = in[0];
        return 2L * s.dim(0) * s.dim(1) * s.dim(2) * kernelH() * kernelW() * filters() + (useBias() ? out.size() : 0);
    }

    @Override
    public String toString() {
        return super.toString() + " (" + settings()
                + (outPadH.isPresent() ? ", output_padding " + outPadH.getAsInt() + "x" + outPadW.getAsInt() : "") + ")";
    }
}
