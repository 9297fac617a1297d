package io.hush.engine.onnx;

import java.util.Arrays;

/**
 * Weight, activation and feature-order conversions between ONNX (NCHW, PyTorch layouts) and Hush (NHWC, Keras
 * layouts), all one {@link #transpose}. Each weight conversion has its exact inverse here, and the round trip is
 * tested.
 */
public final class Layouts {
    private Layouts() {}

    /**
     * The row-major array {@code a} of shape {@code dims} with its axes permuted as {@code numpy.transpose} does:
     * axis k of the result is axis {@code perm[k]} of {@code a}, e.g. {@code transpose(x, [N,C,H,W], 0, 2, 3, 1)} is
     * {@code x} as {@code [N,H,W,C]}.
     */
    public static float[] transpose(float[] a, int[] dims, int... perm) {
        int[] src = sourceIndex(dims, perm);
        if (src.length != a.length) {
            throw new IllegalArgumentException(a.length + " values for shape " + Arrays.toString(dims));
        }
        float[] r = new float[a.length];
        for (int j = 0; j < r.length; j++) r[j] = a[src[j]];
        return r;
    }

    /** For each element j of {@code transpose(a, dims, perm)}, its index in {@code a}. */
    static int[] sourceIndex(int[] dims, int[] perm) {
        int rank = dims.length;
        if (perm.length != rank) throw new IllegalArgumentException("perm of " + perm.length + " axes for rank " + rank);
        int[] stride = new int[rank]; // of a
        int n = 1;
        for (int k = rank - 1; k >= 0; k--) {
            stride[k] = n;
            n = Math.multiplyExact(n, dims[k]);
        }
        int[] outDims = new int[rank], outStride = new int[rank];
        for (int k = 0; k < rank; k++) {
            outDims[k] = dims[perm[k]];
            outStride[k] = stride[perm[k]];
        }
        int[] idx = new int[n];
        int[] pos = new int[rank]; // position in the result, last axis fastest
        int s = 0;
        for (int j = 0; j < n; j++) {
            idx[j] = s;
            for (int k = rank - 1; k >= 0; k--) {
                s += outStride[k];
                if (++pos[k] < outDims[k]) break;
                s -= outStride[k] * outDims[k];
                pos[k] = 0;
            }
        }
        return idx;
    }

    /** Conv weight ONNX {@code [Cout,Cin,KH,KW]} to Hush {@code [KH,KW,Cin,Cout]}. */
    static float[] oihwToHwio(float[] w, int cout, int cin, int kh, int kw) {
        return transpose(w, new int[] {cout, cin, kh, kw}, 2, 3, 1, 0);
    }

    /** Hush {@code [KH,KW,Cin,Cout]} to ONNX {@code [Cout,Cin,KH,KW]}. */
    static float[] hwioToOihw(float[] k, int kh, int kw, int cin, int cout) {
        return transpose(k, new int[] {kh, kw, cin, cout}, 3, 2, 0, 1);
    }

    /**
     * ConvTranspose weight ONNX {@code [Cin,Cout,KH,KW]} (Cin = the transposed convolution's input channels) to
     * Hush Conv2DTranspose {@code [KH,KW,Cin,Cout]}.
     */
    static float[] onnxConvTransposeToHush(float[] w, int cin, int cout, int kh, int kw) {
        return transpose(w, new int[] {cin, cout, kh, kw}, 2, 3, 0, 1);
    }

    /** Hush Conv2DTranspose {@code [KH,KW,Cin,Cout]} to ONNX {@code [Cin,Cout,KH,KW]}. */
    static float[] hushConvTransposeToOnnx(float[] k, int kh, int kw, int cin, int cout) {
        return transpose(k, new int[] {kh, kw, cin, cout}, 2, 3, 0, 1);
    }

    /**
     * Feature order of a flattened image: {@code p[(c*H + h)*W + w] = (h*W + w)*C + c}, i.e. for the feature that
     * PyTorch's flatten of an NCHW tensor puts at index j, the index Hush's NHWC flatten puts it at.
     */
    static int[] chwToHwc(int c, int h, int w) {
        return sourceIndex(new int[] {h, w, c}, new int[] {2, 0, 1});
    }
}
