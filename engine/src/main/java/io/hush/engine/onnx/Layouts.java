package io.hush.engine.onnx;

/**
 * Weight and feature-order conversions between ONNX (NCHW, PyTorch layouts) and Hush (NHWC, Keras layouts).
 * Each conversion has its exact inverse here, and the round trip is tested.
 */
final class Layouts {
    private Layouts() {}

    /** Conv weight ONNX {@code [Cout,Cin,KH,KW]} to Hush {@code [KH,KW,Cin,Cout]}. */
    static float[] oihwToHwio(float[] w, int cout, int cin, int kh, int kw) {
        float[] r = new float[w.length];
        for (int o = 0; o < cout; o++)
            for (int i = 0; i < cin; i++)
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++)
                        r[((y * kw + x) * cin + i) * cout + o] = w[((o * cin + i) * kh + y) * kw + x];
        return r;
    }

    /** Hush {@code [KH,KW,Cin,Cout]} to ONNX {@code [Cout,Cin,KH,KW]}. */
    static float[] hwioToOihw(float[] k, int kh, int kw, int cin, int cout) {
        float[] r = new float[k.length];
        for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
                for (int i = 0; i < cin; i++)
                    for (int o = 0; o < cout; o++)
                        r[((o * cin + i) * kh + y) * kw + x] = k[((y * kw + x) * cin + i) * cout + o];
        return r;
    }

    /**
     * ConvTranspose weight ONNX {@code [Cin,Cout,KH,KW]} (Cin = the transposed convolution's input channels) to
     * Hush Conv2DTranspose {@code [KH,KW,Cin,Cout]}.
     */
    static float[] onnxConvTransposeToHush(float[] w, int cin, int cout, int kh, int kw) {
        float[] r = new float[w.length];
        for (int i = 0; i < cin; i++)
            for (int o = 0; o < cout; o++)
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++)
                        r[((y * kw + x) * cin + i) * cout + o] = w[((i * cout + o) * kh + y) * kw + x];
        return r;
    }

    /** Hush Conv2DTranspose {@code [KH,KW,Cin,Cout]} to ONNX {@code [Cin,Cout,KH,KW]}. */
    static float[] hushConvTransposeToOnnx(float[] k, int kh, int kw, int cin, int cout) {
        float[] r = new float[k.length];
        for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
                for (int i = 0; i < cin; i++)
                    for (int o = 0; o < cout; o++)
                        r[((i * cout + o) * kh + y) * kw + x] = k[((y * kw + x) * cin + i) * cout + o];
        return r;
    }

    /**
     * Feature order of a flattened image: {@code p[(c*H + h)*W + w] = (h*W + w)*C + c}, i.e. for the feature that
     * PyTorch's flatten of an NCHW tensor puts at index j, the index Hush's NHWC flatten puts it at.
     */
    static int[] chwToHwc(int c, int h, int w) {
        int[] p = new int[c * h * w];
        for (int ci = 0; ci < c; ci++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    p[(ci * h + y) * w + x] = (y * w + x) * c + ci;
        return p;
    }
}
