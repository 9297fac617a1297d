package io.hush.engine.golden;

import static io.hush.engine.onnx.Layouts.transpose;

/** Conversions from PyTorch layouts (as stored in the fixtures) to Hush's. */
public final class Layouts {
    private Layouts() {}

    /** Activations {@code [N,C,H,W]} -> {@code [N,H,W,C]}. */
    public static float[] nchwToNhwc(float[] a, int[] s) {
        return transpose(a, s, 0, 2, 3, 1);
    }

    /** NHWC shape of an NCHW shape. */
    public static int[] nhwc(int[] nchw) {
        return new int[] {nchw[0], nchw[2], nchw[3], nchw[1]};
    }

    /** Conv2d weight {@code [Cout,Cin,KH,KW]} -> Hush Conv2D kernel {@code [KH,KW,Cin,Cout]}. */
    public static float[] convKernel(float[] a, int[] s) {
        return transpose(a, s, 2, 3, 1, 0);
    }

    /**
     * ConvTranspose2d weight {@code [Cin,Cout,KH,KW]} -> Hush Conv2DTranspose kernel {@code [KH,KW,Cin,Cout]}
     * (Cin = the layer's input channels; no spatial flip), as Conv2DTranspose's javadoc documents.
     */
    public static float[] convTransposeKernel(float[] a, int[] s) {
        return transpose(a, s, 2, 3, 0, 1);
    }

    /** Linear weight {@code [Out,In]} -> Hush Dense kernel {@code [In,Out]}. */
    public static float[] linearKernel(float[] a, int[] s) {
        return transpose(a, s, 1, 0);
    }
}
