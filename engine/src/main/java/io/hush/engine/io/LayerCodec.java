package io.hush.engine.io;

import io.hush.engine.io.proto.ActivationSettings;
import io.hush.engine.io.proto.AveragePool2DSettings;
import io.hush.engine.io.proto.ConcatenateSettings;
import io.hush.engine.io.proto.Cropping2DSettings;
import io.hush.engine.io.proto.EluSettings;
import io.hush.engine.io.proto.GlobalAveragePool2DSettings;
import io.hush.engine.io.proto.MultiplySettings;
import io.hush.engine.io.proto.SoftmaxSettings;
import io.hush.engine.io.proto.UpSampling2DSettings;
import io.hush.engine.io.proto.ZeroPadding2DSettings;
import io.hush.engine.io.proto.AddSettings;
import io.hush.engine.io.proto.BatchNorm2DSettings;
import io.hush.engine.io.proto.Conv2DSettings;
import io.hush.engine.io.proto.Conv2DTransposeSettings;
import io.hush.engine.io.proto.DenseSettings;
import io.hush.engine.io.proto.DropoutSettings;
import io.hush.engine.io.proto.FlattenSettings;
import io.hush.engine.io.proto.MaxPool2DSettings;
import io.hush.engine.io.proto.Pads;
import io.hush.engine.io.proto.Node;
import io.hush.engine.io.proto.ReshapeSettings;
import io.hush.engine.io.proto.ScaleSettings;
import io.hush.engine.io.proto.SubtractSettings;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.ActivationLayer;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.AveragePool2D;
import io.hush.engine.layers.Concatenate;
import io.hush.engine.layers.Cropping2D;
import io.hush.engine.layers.CustomLayer;
import io.hush.engine.layers.Elu;
import io.hush.engine.layers.GlobalAveragePool2D;
import io.hush.engine.layers.Multiply;
import io.hush.engine.layers.Softmax;
import io.hush.engine.layers.UpSampling2D;
import io.hush.engine.layers.ZeroPadding2D;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Dropout;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Pad;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.Scale;
import io.hush.engine.layers.Subtract;
import io.hush.engine.layers.Window2D;

import java.util.OptionalInt;

/**
 * Layer settings to and from their {@code hush.format} messages, one case per layer type. Decoding builds the layer
 * through its public constructor, so every setting a file gives is validated exactly as if code had built it; the
 * caller wraps whatever it throws with the node's location.
 */
final class LayerCodec {
    private LayerCodec() {}

    /** The node message for a layer's type and settings (name, inputs and parameters are the caller's). */
    static Node.Builder encode(Layer layer) {
        Node.Builder n = Node.newBuilder().setType(layer.type());
        switch (layer) {
            case ActivationLayer a -> n.setActivation(ActivationSettings.newBuilder().setActivation(activation(a.activation())));
            case Add a -> n.setAdd(AddSettings.getDefaultInstance());
            case Subtract s -> n.setSubtract(SubtractSettings.getDefaultInstance());
            case Flatten f -> n.setFlatten(FlattenSettings.getDefaultInstance());
            case Reshape r -> {
                ReshapeSettings.Builder b = ReshapeSettings.newBuilder();
                for (int d : r.target()) b.addShape(d);
                n.setReshape(b);
            }
            case Scale s -> n.setScale(ScaleSettings.newBuilder().setMultiplier(s.multiplier()).setOffset(s.offset()));
            case Dropout d -> n.setDropout(DropoutSettings.newBuilder().setRate(d.rate()));
            case MaxPool2D p -> {
                MaxPool2DSettings.Builder b = MaxPool2DSettings.newBuilder().setPoolH(p.poolH()).setPoolW(p.poolW())
                        .setStrideH(p.strideH()).setStrideW(p.strideW()).setPadding(padding(p.pad()));
                if (p.pad() instanceof Pad.Explicit e) b.setPads(pads(e));
                n.setMaxPool2D(b);
            }
            case Conv2D c -> {
                Conv2DSettings.Builder b = Conv2DSettings.newBuilder().setFilters(c.filters())
                        .setKernelH(c.kernelH()).setKernelW(c.kernelW()).setStrideH(c.strideH()).setStrideW(c.strideW())
                        .setDilationH(c.dilationH()).setDilationW(c.dilationW()).setPadding(padding(c.pad()))
                        .setActivation(activation(c.activation())).setNoBias(!c.useBias());
                if (c.pad() instanceof Pad.Explicit e) b.setPads(pads(e));
                n.setConv2D(b);
            }
            case Conv2DTranspose c -> {
                Conv2DTransposeSettings.Builder b = Conv2DTransposeSettings.newBuilder().setFilters(c.filters())
                        .setKernelH(c.kernelH()).setKernelW(c.kernelW()).setStrideH(c.strideH()).setStrideW(c.strideW())
                        .setDilationH(c.dilationH()).setDilationW(c.dilationW()).setPadding(padding(c.pad()))
                        .setActivation(activation(c.activation())).setNoBias(!c.useBias());
                if (c.pad() instanceof Pad.Explicit e) b.setPads(pads(e));
                if (c.outputPaddingH().isPresent()) {
                    b.setOutputPaddingH(c.outputPaddingH().getAsInt()).setOutputPaddingW(c.outputPaddingW().getAsInt());
                }
                n.setConv2DTranspose(b);
            }
            case Dense d -> n.setDense(DenseSettings.newBuilder().setUnits(d.units())
                    .setActivation(activation(d.activation())).setNoBias(!d.useBias()));
            case BatchNorm2D bn -> n.setBatchNorm2D(BatchNorm2DSettings.newBuilder().setMomentum(bn.momentum())
                    .setEpsilon(bn.epsilon()).setUnbiasedRunningVariance(bn.unbiasedRunningVariance()));
            case AveragePool2D p -> n.setAveragePool2D(AveragePool2DSettings.newBuilder().setPoolH(p.poolH()).setPoolW(p.poolW())
                    .setStrideH(p.strideH()).setStrideW(p.strideW()).setPadding(padding(p.pad())));
            case UpSampling2D u -> n.setUpSampling2D(UpSampling2DSettings.newBuilder().setSizeH(u.sizeH()).setSizeW(u.sizeW())
                    .setInterpolation(u.interpolation() == UpSampling2D.Interpolation.BILINEAR
                            ? UpSampling2DSettings.Interpolation.BILINEAR : UpSampling2DSettings.Interpolation.NEAREST));
            case Multiply m -> n.setMultiply(MultiplySettings.getDefaultInstance());
            case Concatenate c -> n.setConcatenate(ConcatenateSettings.getDefaultInstance());
            case ZeroPadding2D z -> n.setZeroPadding2D(ZeroPadding2DSettings.newBuilder().setPads(pads(z.pads())));
            case Cropping2D c -> n.setCropping2D(Cropping2DSettings.newBuilder().setCrops(pads(c.crops())));
            case GlobalAveragePool2D g -> n.setGlobalAveragePool2D(GlobalAveragePool2DSettings.newBuilder().setKeepDims(g.keepDims()));
            case Elu e -> n.setElu(EluSettings.newBuilder().setAlpha(e.alpha()));
            case Softmax s -> n.setSoftmax(SoftmaxSettings.getDefaultInstance());
            case CustomLayer c -> throw new IllegalArgumentException("cannot save " + layer + " (custom class "
                    + c.getClass().getName() + ") to .hush: the format holds only the engine's own layer types");
        }
        return n;
    }

    /**
     * The layer a node describes, built through its constructor. Throws {@link ModelFormatException} for an unknown or
     * inconsistent type, and whatever the constructor throws (IllegalArgumentException) for bad settings.
     */
    static Layer decode(Node n) throws ModelFormatException {
        String expected = switch (n.getSettingsCase()) {
            case ACTIVATION -> "Activation";
            case ADD -> "Add";
            case SUBTRACT -> "Subtract";
            case FLATTEN -> "Flatten";
            case RESHAPE -> "Reshape";
            case SCALE -> "Scale";
            case DROPOUT -> "Dropout";
            case MAX_POOL2D -> "MaxPool2D";
            case CONV2D -> "Conv2D";
            case CONV2D_TRANSPOSE -> "Conv2DTranspose";
            case DENSE -> "Dense";
            case BATCH_NORM2D -> "BatchNorm2D";
            case AVERAGE_POOL2D -> "AveragePool2D";
            case UP_SAMPLING2D -> "UpSampling2D";
            case MULTIPLY -> "Multiply";
            case CONCATENATE -> "Concatenate";
            case ZERO_PADDING2D -> "ZeroPadding2D";
            case CROPPING2D -> "Cropping2D";
            case GLOBAL_AVERAGE_POOL2D -> "GlobalAveragePool2D";
            case ELU -> "ELU";
            case SOFTMAX -> "Softmax";
            case SETTINGS_NOT_SET -> throw new ModelFormatException("unknown layer type '" + n.getType()
                    + "' (no settings this version of Hush knows; written by a newer Hush?)");
            default -> throw new ModelFormatException("layer type '" + n.getType() + "' (settings "
                    + n.getSettingsCase() + ") is not supported by this version of Hush");
        };
        if (!expected.equals(n.getType())) {
            throw new ModelFormatException("type '" + n.getType() + "' does not match its settings (" + expected + ")");
        }
        return switch (n.getSettingsCase()) {
            case ACTIVATION -> new ActivationLayer(activation(n.getActivation().getActivation()));
            case ADD -> new Add();
            case SUBTRACT -> new Subtract();
            case FLATTEN -> new Flatten();
            case RESHAPE -> new Reshape(ints(n.getReshape().getShapeList()));
            case SCALE -> new Scale(n.getScale().getMultiplier(), n.getScale().getOffset());
            case DROPOUT -> new Dropout(n.getDropout().getRate());
            case MAX_POOL2D -> maxPool(n.getMaxPool2D());
            case CONV2D -> conv(n.getConv2D());
            case CONV2D_TRANSPOSE -> convTranspose(n.getConv2DTranspose());
            case DENSE -> new Dense(n.getDense().getUnits(), activation(n.getDense().getActivation()), !n.getDense().getNoBias());
            case BATCH_NORM2D -> new BatchNorm2D(n.getBatchNorm2D().getMomentum(), n.getBatchNorm2D().getEpsilon(),
                    n.getBatchNorm2D().getUnbiasedRunningVariance());
            case AVERAGE_POOL2D -> averagePool(n.getAveragePool2D());
            case UP_SAMPLING2D -> upSampling(n.getUpSampling2D());
            case MULTIPLY -> new Multiply();
            case CONCATENATE -> new Concatenate(n.getInputsCount());
            case ZERO_PADDING2D -> {
                Pads p = n.getZeroPadding2D().getPads();
                windows(n.getZeroPadding2D(), p.getTop(), p.getBottom(), p.getLeft(), p.getRight());
                yield new ZeroPadding2D(p.getTop(), p.getBottom(), p.getLeft(), p.getRight());
            }
            case CROPPING2D -> {
                Pads p = n.getCropping2D().getCrops();
                windows(n.getCropping2D(), p.getTop(), p.getBottom(), p.getLeft(), p.getRight());
                yield new Cropping2D(p.getTop(), p.getBottom(), p.getLeft(), p.getRight());
            }
            case GLOBAL_AVERAGE_POOL2D -> new GlobalAveragePool2D(n.getGlobalAveragePool2D().getKeepDims());
            case ELU -> new Elu(n.getElu().getAlpha());
            case SOFTMAX -> new Softmax();
            default -> throw new AssertionError(n.getSettingsCase());
        };
    }

    private static Conv2D conv(Conv2DSettings s) throws ModelFormatException {
        windows(s, s.getKernelH(), s.getKernelW(), s.getStrideH(), s.getStrideW(), s.getDilationH(), s.getDilationW(),
                s.getPads().getTop(), s.getPads().getBottom(), s.getPads().getLeft(), s.getPads().getRight());
        return new Conv2D(s.getFilters(), window(s.getKernelH(), s.getKernelW(), s.getStrideH(), s.getStrideW(),
                s.getDilationH(), s.getDilationW()), pad(s.getPadding(), s.getPads()), !s.getNoBias(),
                activation(s.getActivation()));
    }

    private static Conv2DTranspose convTranspose(Conv2DTransposeSettings s) throws ModelFormatException {
        windows(s, s.getKernelH(), s.getKernelW(), s.getStrideH(), s.getStrideW(), s.getDilationH(), s.getDilationW(),
                s.getPads().getTop(), s.getPads().getBottom(), s.getPads().getLeft(), s.getPads().getRight(),
                s.getOutputPaddingH(), s.getOutputPaddingW());
        // absent output padding = none (Keras None); present = the value
        OptionalInt oh = s.hasOutputPaddingH() ? OptionalInt.of(s.getOutputPaddingH()) : OptionalInt.empty();
        OptionalInt ow = s.hasOutputPaddingW() ? OptionalInt.of(s.getOutputPaddingW()) : OptionalInt.empty();
        return new Conv2DTranspose(s.getFilters(), window(s.getKernelH(), s.getKernelW(), s.getStrideH(), s.getStrideW(),
                s.getDilationH(), s.getDilationW()), pad(s.getPadding(), s.getPads()), oh, ow, !s.getNoBias(),
                activation(s.getActivation()));
    }

    /** A convolution window; strides and dilations of 0 (absent in the file) are 1. */
    private static Window2D window(int kh, int kw, int sh, int sw, int dh, int dw) {
        return new Window2D(kh, kw, orOne(sh), orOne(sw), orOne(dh), orOne(dw));
    }

    private static AveragePool2D averagePool(AveragePool2DSettings s) throws ModelFormatException {
        windows(s, s.getPoolH(), s.getPoolW(), s.getStrideH(), s.getStrideW());
        int sh = s.getStrideH() == 0 ? s.getPoolH() : s.getStrideH();
        int sw = s.getStrideW() == 0 ? s.getPoolW() : s.getStrideW();
        if (s.getPadding() == io.hush.engine.io.proto.Padding.EXPLICIT) {
            throw new ModelFormatException("AveragePool2D: explicit pads are not supported (SAME or VALID)");
        }
        return new AveragePool2D(Window2D.of(s.getPoolH(), s.getPoolW(), sh, sw), pad(s.getPadding(), Pads.getDefaultInstance()));
    }

    private static UpSampling2D upSampling(UpSampling2DSettings s) throws ModelFormatException {
        windows(s, s.getSizeH(), s.getSizeW());
        UpSampling2D.Interpolation mode = switch (s.getInterpolation()) {
            case NEAREST -> UpSampling2D.Interpolation.NEAREST;
            case BILINEAR -> UpSampling2D.Interpolation.BILINEAR;
            case UNRECOGNIZED -> throw new ModelFormatException("UpSampling2D: unknown interpolation " + s.getInterpolationValue());
        };
        return new UpSampling2D(orOne(s.getSizeH()), orOne(s.getSizeW()), mode);
    }

    /** Explicit pads as the file's message. */
    private static Pads.Builder pads(Pad.Explicit p) {
        return Pads.newBuilder().setTop(p.top()).setBottom(p.bottom()).setLeft(p.left()).setRight(p.right());
    }

    /** {top, bottom, left, right} (ZeroPadding2D, Cropping2D) as the file's message. */
    private static Pads.Builder pads(int[] tblr) {
        return Pads.newBuilder().setTop(tblr[0]).setBottom(tblr[1]).setLeft(tblr[2]).setRight(tblr[3]);
    }

    private static MaxPool2D maxPool(MaxPool2DSettings s) throws ModelFormatException {
        windows(s, s.getPoolH(), s.getPoolW(), s.getStrideH(), s.getStrideW(),
                s.getPads().getTop(), s.getPads().getBottom(), s.getPads().getLeft(), s.getPads().getRight());
        int sh = s.getStrideH() == 0 ? s.getPoolH() : s.getStrideH();
        int sw = s.getStrideW() == 0 ? s.getPoolW() : s.getStrideW();
        return new MaxPool2D(Window2D.of(s.getPoolH(), s.getPoolW(), sh, sw), pad(s.getPadding(), s.getPads()));
    }

    /** A layer's padding as the file's mode (the pads of an explicit one are set by the caller). */
    static io.hush.engine.io.proto.Padding padding(Pad p) {
        return switch (p) {
            case Pad.Same s -> io.hush.engine.io.proto.Padding.SAME;
            case Pad.Valid v -> io.hush.engine.io.proto.Padding.VALID;
            case Pad.Explicit e -> io.hush.engine.io.proto.Padding.EXPLICIT;
        };
    }

    /** The file's mode (and, for EXPLICIT, its pads) as the layer's padding. */
    static Pad pad(io.hush.engine.io.proto.Padding mode, Pads p) throws ModelFormatException {
        return switch (mode) {
            case SAME -> Pad.SAME;
            case VALID -> Pad.VALID;
            case EXPLICIT -> Pad.explicit(p.getTop(), p.getBottom(), p.getLeft(), p.getRight());
            case UNRECOGNIZED -> throw new ModelFormatException("padding: unknown mode");
        };
    }

    static io.hush.engine.io.proto.Activation.Builder activation(Activation a) {
        io.hush.engine.io.proto.Activation.Kind k = switch (a.kind()) {
            case LINEAR -> io.hush.engine.io.proto.Activation.Kind.LINEAR;
            case RELU -> io.hush.engine.io.proto.Activation.Kind.RELU;
            case LEAKY_RELU -> io.hush.engine.io.proto.Activation.Kind.LEAKY_RELU;
            case SIGMOID -> io.hush.engine.io.proto.Activation.Kind.SIGMOID;
            case TANH -> io.hush.engine.io.proto.Activation.Kind.TANH;
        };
        return io.hush.engine.io.proto.Activation.newBuilder().setKind(k).setAlpha(a.alpha());
    }

    static Activation activation(io.hush.engine.io.proto.Activation a) throws ModelFormatException {
        return switch (a.getKind()) {
            case LINEAR -> Activation.LINEAR;
            case RELU -> Activation.RELU;
            case LEAKY_RELU -> Activation.leakyRelu(a.getAlpha());
            case SIGMOID -> Activation.SIGMOID;
            case TANH -> Activation.TANH;
            case UNRECOGNIZED -> throw new ModelFormatException("activation: unknown kind " + a.getKindValue());
        };
    }

    /** 0 means 1 for strides and dilations (proto3 default: a file that did not say). */
    static int orOne(int v) { return v == 0 ? 1 : v; }

    /**
     * Kernel, pool, stride, dilation and pad sizes above this are refused before any layer sees them: no image model
     * needs a 4096-wide window, and it keeps window arithmetic (e.g. a pool's cell index, 4096^2 = 2^24, exact in a
     * float) far from overflow whatever a file says. The layer constructors then check the rest (>= 1, ...).
     */
    static final int MAX_WINDOW = 4096;

    private static void windows(Object settings, int... values) throws ModelFormatException {
        for (int v : values) {
            if (v > MAX_WINDOW) {
                throw new ModelFormatException("a window, stride, dilation or pad of " + v + " is larger than the limit of "
                        + MAX_WINDOW + " (" + settings.toString().replace("\n", ", ").trim() + ")");
            }
        }
    }

    private static int[] ints(java.util.List<Integer> l) {
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }
}
