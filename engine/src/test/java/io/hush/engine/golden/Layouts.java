package io.hush.engine.golden;

/** Conversions from PyTorch layouts (as stored in the fixtures) to Hush's. */
public final class Layouts {
    private Layouts() {}

    /** Activations {@code [N,C,H,W]} -> {@code [N,H,W,C]}. */
    public static float[] nchwToNhwc(float[] a, int[] s) {
        int n = s[0], c = s[1], h = s[2], w = s[3];
        float[] r = new float[a.length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        r[((b * h + y) * w + x) * c + ch] = a[((b * c + ch) * h + y) * w + x];
        return r;
    }

    /** NHWC shape of an NCHW shape. */
    public static int[] nhwc(int[] nchw) {
        return new int[] {nchw[0], nchw[2], nchw[3], nchw[1]};
    }

    /** Conv2d weight {@code [Cout,Cin,KH,KW]} -> Hush Conv2D kernel {@code [KH,KW,Cin,Cout]}. */
    public static float[] convKernel(float[] a, int[] s) {
        int co = s[0], ci = s[1], kh = s[2], kw = s[3];
        float[] r = new float[a.length];
        for (int o = 0; o < co; o++)
            for (int i = 0; i < ci; i++)
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++)
                        r[((y * kw + x) * ci + i) * co + o] = a[((o * ci + i) * kh + y) * kw + x];
        return r;
    }

    /**
     * ConvTranspose2d weight {@code [Cin,Cout,KH,KW]} -> Hush Conv2DTranspose kernel {@code [KH,KW,Cin,Cout]}
     * (Cin = the layer's input channels; no spatial flip), as Conv2DTranspose's javadoc documents.
     */
    public static float[] convTransposeKernel(float[] a, int[] s) {
        int ci = s[0], co = s[1], kh = s[2], kw = s[3];
        float[] r = new float[a.length];
        for (int i = 0; i < ci; i++)
            for (int o = 0; o < co; o++)
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++)
                        r[((y * kw + x) * ci + i) * co + o] = a[((i * co + o) * kh + y) * kw + x];
        return r;
    }

    /** Linear weight {@code [Out,In]} -> Hush Dense kernel {@code [In,Out]}. */
    public static float[] linearKernel(float[] a, int[] s) {
        int out = s[0], in = s[1];
        float[] r = new float[a.length];
        for (int o = 0; o < out; o++)
            for (int i = 0; i < in; i++) r[i * out + o] = a[o * in + i];
        return r;
    }
}
