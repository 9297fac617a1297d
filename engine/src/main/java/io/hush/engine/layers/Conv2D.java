package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.ActivationKernels;
import io.hush.engine.kernels.ConvGeom;
import io.hush.engine.kernels.ConvKernels;
import io.hush.engine.kernels.Elementwise;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;

/**
 * 2-D convolution (Keras {@code Conv2D}, ONNX/PyTorch {@code Conv} with group 1) with an optional bias and a
 * fused activation. Input {@code [H,W,Cin]}, output {@code [OH,OW,filters]}.
 *
 * <p>Parameters: {@code "kernel"} {@code [KH,KW,Cin,Cout]} (HWIO, Keras's layout: {@code out[oy,ox,co] =
 * sum kernel[i,j,ci,co] * in[oy*sh - padTop + i*dh, ox*sw - padLeft + j*dw, ci]}) and {@code "bias"}
 * {@code [Cout]}. A PyTorch/ONNX weight {@code [Cout,Cin,KH,KW]} maps as {@code kernel[i,j,ci,co] = W[co,ci,i,j]}.
 *
 * <p>Padding: {@link Padding#SAME}/{@link Padding#VALID} with Keras/TensorFlow semantics (SAME: output
 * {@code ceil(in/stride)}, the smaller half of an odd total padding at the top/left), or explicit
 * (top, bottom, left, right) pads as ONNX/PyTorch carry them ({@link #withPads}).
 *
 * <p>Kernels: {@link ConvKernels} (see there for which kernel runs); {@link io.hush.engine.kernels.ConvScalar}
 * is the reference they are tested against. Backward: {@code gradPre = gradOut * act'(out)} (in scratch), then
 * kernel gradient (per-thread partial sums in scratch, reduced in thread order), bias gradient, and the input
 * gradient only when it is wanted.
 */
public final class Conv2D extends Layer implements KernelLayer {
    private final int filters, kernelH, kernelW, strideH, strideW, dilationH, dilationW;
    private final Padding padding;   // null when explicit pads are used
    private final int[] pads;        // {top, bottom, left, right} when explicit, else null
    private final boolean useBias;
    private final Activation activation;
    private Param kernel, bias;
    private KernelStorage storage = KernelStorage.FLOAT32;

    /** {@code kernel x kernel}, stride 1, SAME padding, with bias. */
    public Conv2D(int filters, int kernel, Activation activation) {
        this(filters, kernel, kernel, 1, 1, Padding.SAME, 1, 1, true, activation);
    }

    /** {@code kernel x kernel}, stride 1, SAME, bias, linear. */
    public Conv2D(int filters, int kernel) {
        this(filters, kernel, Activation.LINEAR);
    }

    /** Square kernel and stride with a padding mode, bias, no dilation. */
    public Conv2D(int filters, int kernel, int stride, Padding padding, Activation activation) {
        this(filters, kernel, kernel, stride, stride, padding, 1, 1, true, activation);
    }

    /** Every Keras setting. */
    public Conv2D(int filters, int kernelH, int kernelW, int strideH, int strideW, Padding padding,
                  int dilationH, int dilationW, boolean useBias, Activation activation) {
        this(filters, kernelH, kernelW, strideH, strideW, check(padding), null, dilationH, dilationW, useBias, activation);
    }

    private Conv2D(int filters, int kernelH, int kernelW, int strideH, int strideW, Padding padding, int[] pads,
                   int dilationH, int dilationW, boolean useBias, Activation activation) {
        String what = "Conv2D(filters=" + filters + ", kernel=" + kernelH + "x" + kernelW + ", strides=" + strideH + "x"
                + strideW + ", dilation=" + dilationH + "x" + dilationW + ")";
        if (filters < 1 || kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException(what + ": filters, kernel size, strides and dilation must be >= 1");
        }
        if (pads != null) {
            if (pads.length != 4) throw new IllegalArgumentException(what + ": pads must be {top,bottom,left,right}");
            for (int p : pads) if (p < 0) throw new IllegalArgumentException(what + ": negative pad in " + java.util.Arrays.toString(pads));
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
        this.useBias = useBias;
        this.activation = activation;
    }

    private static Padding check(Padding p) {
        if (p == null) throw new IllegalArgumentException("Conv2D: padding is null (use withPads for explicit pads)");
        return p;
    }

    /** Explicit pads (ONNX {@code pads = [top, left, bottom, right]} reorders to these arguments). */
    public static Conv2D withPads(int filters, int kernelH, int kernelW, int strideH, int strideW,
                                  int padTop, int padBottom, int padLeft, int padRight,
                                  int dilationH, int dilationW, boolean useBias, Activation activation) {
        return new Conv2D(filters, kernelH, kernelW, strideH, strideW, null,
                new int[]{padTop, padBottom, padLeft, padRight}, dilationH, dilationW, useBias, activation);
    }

    public int filters() { return filters; }
    public int kernelH() { return kernelH; }
    public int kernelW() { return kernelW; }
    public int strideH() { return strideH; }
    public int strideW() { return strideW; }
    public int dilationH() { return dilationH; }
    public int dilationW() { return dilationW; }
    /** SAME or VALID, or null when the layer has explicit pads. */
    public Padding padding() { return padding; }
    /** {top, bottom, left, right} when explicit, else null (see {@link #padsFor} for the pads a mode implies). */
    public int[] explicitPads() { return pads == null ? null : pads.clone(); }
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
    public Conv2D kernelStorage(KernelStorage s) {
        if (kernel != null && storage != s) {
            throw new IllegalStateException(this + ": the kernel storage is chosen before the model is built");
        }
        storage = java.util.Objects.requireNonNull(s, "storage");
        return this;
    }
    /** {@code [Cout]}; null without bias or before the model is built. */
    public Param bias() { return bias; }

    /** The {top, bottom, left, right} pads used for an input of h x w (for explicit pads: those). */
    public int[] padsFor(int h, int w) {
        if (pads != null) return pads.clone();
        int oh = Padding.convOut(h, kernelH, strideH, dilationH, padding);
        int ow = Padding.convOut(w, kernelW, strideW, dilationW, padding);
        int pt = Padding.convPadBefore(h, kernelH, strideH, dilationH, padding);
        int pl = Padding.convPadBefore(w, kernelW, strideW, dilationW, padding);
        int effH = (kernelH - 1) * dilationH + 1, effW = (kernelW - 1) * dilationW + 1;
        int pb = Math.max((oh - 1) * strideH + effH - h - pt, 0), pr = Math.max((ow - 1) * strideW + effW - w - pl, 0);
        if (padding == Padding.VALID) pb = pr = 0;
        return new int[]{pt, pb, pl, pr};
    }

    @Override public String type() { return "Conv2D"; }

    @Override
    public Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        Shape s = in[0];
        int h = s.dim(0), w = s.dim(1), c = s.dim(2);
        if (kernel != null && kernel.value.shape().dim(2) != c) {
            throw shapeError("was built for " + kernel.value.shape().dim(2) + " input channels, got input " + s);
        }
        int effH = (kernelH - 1) * dilationH + 1, effW = (kernelW - 1) * dilationW + 1;
        int oh, ow;
        if (pads != null) {
            int hh = h + pads[0] + pads[1], ww = w + pads[2] + pads[3];
            if (hh < effH || ww < effW) {
                throw shapeError("kernel " + kernelH + "x" + kernelW + " (dilated " + effH + "x" + effW
                        + ") is larger than the padded input " + hh + "x" + ww + " (input " + s + ")");
            }
            oh = (hh - effH) / strideH + 1;
            ow = (ww - effW) / strideW + 1;
        } else {
            if (padding == Padding.VALID && (h < effH || w < effW)) {
                throw shapeError("kernel " + kernelH + "x" + kernelW + " (dilated " + effH + "x" + effW
                        + ") is larger than the input " + s + " with VALID padding");
            }
            oh = Padding.convOut(h, kernelH, strideH, dilationH, padding);
            ow = Padding.convOut(w, kernelW, strideW, dilationW, padding);
        }
        return Shape.of(oh, ow, filters);
    }

    /** Convolution geometry for a batched input {@code [N,H,W,C]}. */
    public ConvGeom geometry(Shape batchedIn) {
        Shape out = outputShape(batchedIn.dropBatch());
        int[] p = padsFor(batchedIn.dim(1), batchedIn.dim(2));
        return new ConvGeom(batchedIn.dim(0), batchedIn.dim(1), batchedIn.dim(2), batchedIn.dim(3),
                out.dim(0), out.dim(1), filters, kernelH, kernelW, strideH, strideW, dilationH, dilationW, p[0], p[2]);
    }

    @Override
    public void createParams(Shape[] in, Arena arena) {
        outputShape(in);
        int cin = in[0].dim(2);
        Shape ks = Shape.of(kernelH, kernelW, cin, filters);
        kernel = storage == KernelStorage.INT8 ? Param.int8("kernel", Int8Kernel.allocate(arena, ks), true)
                : new Param("kernel", Tensor.allocate(arena, ks), Tensor.allocate(arena, ks), true, true);
        if (useBias) {
            bias = new Param("bias", Tensor.allocate(arena, filters), Tensor.allocate(arena, filters), true, false);
        }
    }

    @Override
    public List<Param> params() {
        if (kernel == null) return List.of();
        return useBias ? List.of(kernel, bias) : List.of(kernel);
    }

    @Override
    public void initialize(SplittableRandom rng) { initialize(rng, Init.GLOROT_UNIFORM); }

    /** fan_in = KH*KW*Cin, fan_out = KH*KW*Cout (Keras and PyTorch agree for Conv2D). */
    @Override
    public void initialize(SplittableRandom rng, Init init) {
        Shape ks = kernel.value.shape();
        double fanIn = (double) kernelH * kernelW * ks.dim(2), fanOut = (double) kernelH * kernelW * filters;
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
        return activation.kind() == Activation.Kind.LINEAR ? 0 : (g.outSize() + 15) & ~15L;
    }

    @Override
    public long flops(Shape[] in, Shape out) {
        return 2L * out.size() * kernelH * kernelW * in[0].dim(2) + (useBias ? out.size() : 0);
    }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        ConvGeom g = geometry(in[0].shape());
        ConvKernels.forward(ex.pool, g, in[0].data(), Int8Kernel.weights(kernel, ex, this), false,
                useBias ? bias.value.data() : MemorySegment.NULL, out.data());
        activate(activation, out, ex);
    }

    static void activate(Activation a, Tensor out, Exec ex) {
        if (a.kind() == Activation.Kind.LINEAR) return;
        MemorySegment y = out.data();
        long n = out.size();
        Elementwise.inBlocks(ex.pool, n, (from, to) -> ActivationKernels.apply(a, y, from, to));
    }

    /** gradOut * act'(out) into scratch (or gradOut itself for a linear activation). */
    static MemorySegment gradPre(Activation a, Tensor out, Tensor gradOut, Exec ex) {
        if (a.kind() == Activation.Kind.LINEAR) return gradOut.data();
        long n = out.size();
        MemorySegment gp = ex.scratch.asSlice(0, n * 4);
        MemorySegment y = out.data(), go = gradOut.data();
        Elementwise.inBlocks(ex.pool, n, (from, to) -> ActivationKernels.mulDerivFromOutput(a, y, go, gp, from, to));
        return gp;
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (kernel.int8 != null) throw Int8Kernel.notTrainable(this);
        ConvGeom g = geometry(in[0].shape());
        MemorySegment gp = gradPre(activation, out, gradOut, ex);
        long pre = gradPreFloats(g);
        MemorySegment rest = ex.scratch.asSlice(pre * 4);
        ConvKernels.weightGrad(ex.pool, g, in[0].data(), gp, kernel.grad.data(), false, rest);
        if (useBias) ConvKernels.biasGrad(ex.pool, gp, (long) g.n() * g.oh() * g.ow(), filters, bias.grad.data());
        if (gradIn[0] != null) {
            ConvKernels.backwardData(ex.pool, g, gp, kernel.value.data(), false, MemorySegment.NULL, gradIn[0].data());
        }
    }

    @Override
    public String toString() {
        return super.toString() + " (" + filters + " filters, " + kernelH + "x" + kernelW + ", strides " + strideH + "x"
                + strideW + ", " + (pads != null ? "pads " + java.util.Arrays.toString(pads) : padding)
                + (dilationH * dilationW > 1 ? ", dilation " + dilationH + "x" + dilationW : "") + ", " + activation + ")";
    }
}
