package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.ConvGeom;
import io.hush.engine.kernels.ConvKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
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
 *   <li>Explicit pads (PyTorch/ONNX, {@link #withPads}): {@code (in-1)*s - padTop - padBottom + eff + op}.</li>
 * </ul>
 *
 * <p>Computation: the forward pass is the input-gradient of the convolution that maps this layer's output back
 * to its input, and the input-gradient is that convolution's forward pass; both run on {@link ConvKernels}.
 */
public final class Conv2DTranspose extends Layer implements KernelLayer {
    private final int filters, kernelH, kernelW, strideH, strideW, dilationH, dilationW;
    private final Padding padding;   // null when explicit
    private final int[] pads;        // {top,bottom,left,right} when explicit
    private final int outPadH, outPadW; // -1: none (Keras default)
    private final boolean useBias;
    private final Activation activation;
    private Param kernel, bias;
    private KernelStorage storage = KernelStorage.FLOAT32;

    /** Square kernel and stride, Keras padding mode, bias, no output padding. */
    public Conv2DTranspose(int filters, int kernel, int stride, Padding padding, Activation activation) {
        this(filters, kernel, kernel, stride, stride, padding, -1, -1, 1, 1, true, activation);
    }

    /** Every Keras setting; {@code outputPaddingH/W = -1} means none (Keras {@code output_padding=None}). */
    public Conv2DTranspose(int filters, int kernelH, int kernelW, int strideH, int strideW, Padding padding,
                           int outputPaddingH, int outputPaddingW, int dilationH, int dilationW, boolean useBias,
                           Activation activation) {
        this(filters, kernelH, kernelW, strideH, strideW, padding, null, outputPaddingH, outputPaddingW, dilationH,
                dilationW, useBias, activation);
        if (padding == null) throw new IllegalArgumentException(this + ": padding is null (use withPads)");
    }

    private Conv2DTranspose(int filters, int kernelH, int kernelW, int strideH, int strideW, Padding padding, int[] pads,
                            int outPadH, int outPadW, int dilationH, int dilationW, boolean useBias, Activation activation) {
        String what = "Conv2DTranspose(filters=" + filters + ", kernel=" + kernelH + "x" + kernelW + ", strides=" + strideH
                + "x" + strideW + ", dilation=" + dilationH + "x" + dilationW + ", output_padding=" + outPadH + "x" + outPadW + ")";
        if (filters < 1 || kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException(what + ": filters, kernel size, strides and dilation must be >= 1");
        }
        boolean none = outPadH == -1 && outPadW == -1;
        if (!none && (outPadH < 0 || outPadW < 0 || outPadH >= Math.max(strideH, dilationH)
                || outPadW >= Math.max(strideW, dilationW))) {
            throw new IllegalArgumentException(what + ": output padding must be >= 0 and smaller than the stride or dilation");
        }
        if (pads != null) {
            for (int p : pads) if (p < 0) throw new IllegalArgumentException(what + ": negative pad in " + Arrays.toString(pads));
        }
        if (activation == null) throw new IllegalArgumentException(what + ": activation is null");
        this.filters = filters;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.dilationH = dilationH;
        this.dilationW = dilationW;
        this.padding = padding;
        this.pads = pads == null ? null : pads.clone();
        this.outPadH = outPadH;
        this.outPadW = outPadW;
        this.useBias = useBias;
        this.activation = activation;
    }

    /**
     * Explicit pads as PyTorch/ONNX carry them (ONNX {@code pads = [top, left, bottom, right]} reorders to these
     * arguments) and output padding (0 for none).
     */
    public static Conv2DTranspose withPads(int filters, int kernelH, int kernelW, int strideH, int strideW,
                                           int padTop, int padBottom, int padLeft, int padRight,
                                           int outputPaddingH, int outputPaddingW, int dilationH, int dilationW,
                                           boolean useBias, Activation activation) {
        return new Conv2DTranspose(filters, kernelH, kernelW, strideH, strideW, null,
                new int[]{padTop, padBottom, padLeft, padRight}, outputPaddingH, outputPaddingW, dilationH, dilationW,
                useBias, activation);
    }

    public int filters() { return filters; }
    public int kernelH() { return kernelH; }
    public int kernelW() { return kernelW; }
    public int strideH() { return strideH; }
    public int strideW() { return strideW; }
    public int dilationH() { return dilationH; }
    public int dilationW() { return dilationW; }
    /** SAME/VALID, or null with explicit pads. */
    public Padding padding() { return padding; }
    /** {top, bottom, left, right} when explicit, else null. */
    public int[] explicitPads() { return pads == null ? null : pads.clone(); }
    /** Output padding along H, or -1 for none (Keras modes only; explicit pads use 0 for none). */
    public int outputPaddingH() { return outPadH; }
    public int outputPaddingW() { return outPadW; }
    public boolean useBias() { return useBias; }
    public Activation activation() { return activation; }
    /** {@code [KH,KW,Cin,Cout]}; null before the model is built. */
    @Override public Param kernel() { return kernel; }

    @Override public KernelStorage kernelStorage() { return storage; }

    /**
     * {@link KernelStorage#INT8}: the kernel stays int8 in memory ({@link Int8Kernel}, a quarter of the float32 size);
     * each forward pass widens it into scratch and packs from there (inference only). Before the model is built.
     */
    @Override
    public Conv2DTranspose kernelStorage(KernelStorage s) {
        if (kernel != null && storage != s) {
            throw new IllegalStateException(this + ": the kernel storage is chosen before the model is built");
        }
        storage = java.util.Objects.requireNonNull(s, "storage");
        return this;
    }
    /** {@code [Cout]}; null without bias or before build. */
    public Param bias() { return bias; }

    /** {out, padBefore} along one axis for input size {@code in}. */
    private int[] axis(int in, int k, int s, int d, int op, int padBefore, int padAfter) {
        int eff = (k - 1) * d + 1;
        if (pads != null) return new int[]{(in - 1) * s - padBefore - padAfter + eff + Math.max(op, 0), padBefore};
        int out;
        if (op < 0) {
            if (padding == Padding.VALID) return new int[]{in * s + Math.max(eff - s, 0), 0};
            out = in * s;
        } else {
            int pad = padding == Padding.SAME ? eff / 2 : 0;
            out = (in - 1) * s + eff - 2 * pad + op;
        }
        return new int[]{out, Math.max((in - 1) * s + eff - out, 0) / 2};
    }

    /**
     * The {top, bottom, left, right} crop of the full transposed output {@code (in-1)*s + eff} for an input of
     * h x w; a negative bottom/right crop means extra output rows/columns (output padding).
     */
    public int[] padsFor(int h, int w) {
        if (pads != null) return new int[]{pads[0], pads[1] - Math.max(outPadH, 0), pads[2], pads[3] - Math.max(outPadW, 0)};
        int[] y = axis(h, kernelH, strideH, dilationH, outPadH, 0, 0), x = axis(w, kernelW, strideW, dilationW, outPadW, 0, 0);
        int effH = (kernelH - 1) * dilationH + 1, effW = (kernelW - 1) * dilationW + 1;
        return new int[]{y[1], (h - 1) * strideH + effH - y[1] - y[0], x[1], (w - 1) * strideW + effW - x[1] - x[0]};
    }

    @Override public String type() { return "Conv2DTranspose"; }

    @Override
    public Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        Shape s = in[0];
        if (kernel != null && kernel.value.shape().dim(2) != s.dim(2)) {
            throw shapeError("was built for " + kernel.value.shape().dim(2) + " input channels, got input " + s);
        }
        int pt = pads == null ? 0 : pads[0], pb = pads == null ? 0 : pads[1];
        int pl = pads == null ? 0 : pads[2], pr = pads == null ? 0 : pads[3];
        int oh = axis(s.dim(0), kernelH, strideH, dilationH, outPadH, pt, pb)[0];
        int ow = axis(s.dim(1), kernelW, strideW, dilationW, outPadW, pl, pr)[0];
        if (oh < 1 || ow < 1) {
            throw shapeError("output would be " + oh + "x" + ow + " for input " + s + " (pads " + Arrays.toString(pads) + ")");
        }
        return Shape.of(oh, ow, filters);
    }

    /**
     * Geometry of the convolution this layer transposes: its input is this layer's output {@code [N,OH,OW,filters]},
     * its output is this layer's input {@code [N,H,W,Cin]}.
     */
    public ConvGeom geometry(Shape batchedIn) {
        Shape out = outputShape(batchedIn.dropBatch());
        int pt = pads == null ? axis(batchedIn.dim(1), kernelH, strideH, dilationH, outPadH, 0, 0)[1] : pads[0];
        int pl = pads == null ? axis(batchedIn.dim(2), kernelW, strideW, dilationW, outPadW, 0, 0)[1] : pads[2];
        return new ConvGeom(batchedIn.dim(0), out.dim(0), out.dim(1), filters, batchedIn.dim(1), batchedIn.dim(2),
                batchedIn.dim(3), kernelH, kernelW, strideH, strideW, dilationH, dilationW, pt, pl);
    }

    @Override
    public void createParams(Shape[] in, Arena arena) {
        outputShape(in);
        int cin = in[0].dim(2);
        Shape ks = Shape.of(kernelH, kernelW, cin, filters);
        kernel = storage == KernelStorage.INT8 ? Param.int8("kernel", Int8Kernel.allocate(arena, ks), true)
                : new Param("kernel", Tensor.allocate(arena, ks), Tensor.allocate(arena, ks), true, true);
        if (useBias) bias = new Param("bias", Tensor.allocate(arena, filters), Tensor.allocate(arena, filters), true, false);
    }

    @Override
    public List<Param> params() {
        if (kernel == null) return List.of();
        return useBias ? List.of(kernel, bias) : List.of(kernel);
    }

    @Override
    public void initialize(SplittableRandom rng) { initialize(rng, Init.GLOROT_UNIFORM); }

    /**
     * Glorot: fan sum KH*KW*(Cin+Cout), as Keras. PyTorch's default takes fan_in from dimension 1 of its
     * [Cin,Cout,KH,KW] weight: KH*KW*Cout.
     */
    @Override
    public void initialize(SplittableRandom rng, Init init) {
        double cin = kernel.value.shape().dim(2), taps = (double) kernelH * kernelW;
        double fanIn = init == Init.TORCH_DEFAULT ? taps * filters : taps * cin;
        double fanOut = init == Init.TORCH_DEFAULT ? taps * cin : taps * filters;
        Int8Kernel.initialize(kernel, bias, init, fanIn, fanOut, rng);
    }

    @Override
    public long scratchFloats(Shape[] in, Shape out, int threads) {
        ConvGeom g = geometry(in[0]);
        // an int8 kernel is widened into scratch for the forward pass, which uses no other scratch
        return Math.max(gradPreFloats(g) + ConvKernels.weightGradScratch(g, threads),
                storage == KernelStorage.INT8 ? g.kernelSize() : 0);
    }

    private long gradPreFloats(ConvGeom g) {
        return activation.kind() == Activation.Kind.LINEAR ? 0 : (g.inSize() + 15) & ~15L;
    }

    /** Multiply-adds of every input pixel with every tap, times 2 (+ bias). */
    @Override
    public long flops(Shape[] in, Shape out) {
        Shape s = in[0];
        return 2L * s.dim(0) * s.dim(1) * s.dim(2) * kernelH * kernelW * filters + (useBias ? out.size() : 0);
    }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        ConvGeom g = geometry(in[0].shape());
        // conv kernel [kh,kw,cin_conv=filters,cout_conv=Cin] is our [kh,kw,Cin,filters] transposed: kernelOI
        ConvKernels.backwardData(ex.pool, g, in[0].data(), Int8Kernel.weights(kernel, ex, this), true,
                useBias ? bias.value.data() : MemorySegment.NULL, out.data());
        Conv2D.activate(activation, out, ex);
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (kernel.int8 != null) throw Int8Kernel.notTrainable(this);
        ConvGeom g = geometry(in[0].shape());
        MemorySegment gp = Conv2D.gradPre(activation, out, gradOut, ex);
        long pre = gradPreFloats(g);
        MemorySegment rest = ex.scratch.asSlice(pre * 4);
        // dW_conv[tap][filters][Cin] = sum gp (conv input) x in (conv output); ours is its per-tap transpose.
        ConvKernels.weightGrad(ex.pool, g, gp, in[0].data(), kernel.grad.data(), true, rest);
        if (useBias) ConvKernels.biasGrad(ex.pool, gp, (long) g.n() * g.h() * g.w(), filters, bias.grad.data());
        if (gradIn[0] != null) {
            ConvKernels.forward(ex.pool, g, gp, kernel.value.data(), true, MemorySegment.NULL, gradIn[0].data());
        }
    }

    @Override
    public String toString() {
        return super.toString() + " (" + filters + " filters, " + kernelH + "x" + kernelW + ", strides " + strideH + "x"
                + strideW + ", " + (pads != null ? "pads " + Arrays.toString(pads) : padding)
                + (outPadH >= 0 ? ", output_padding " + outPadH + "x" + outPadW : "")
                + (dilationH * dilationW > 1 ? ", dilation " + dilationH + "x" + dilationW : "") + ", " + activation + ")";
    }
}
