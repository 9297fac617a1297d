package io.hush.engine.onnx;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ONNX/Hush layout conversions place every element where the other layout has it, and invert exactly. */
class LayoutsTest {
    @Test
    void convKernelRoundTripsAndPlacesEachWeight() {
        int co = 3, ci = 2, kh = 3, kw = 2;
        float[] w = OnnxTesting.uniform(1, co * ci * kh * kw, -1, 1);
        float[] k = Layouts.oihwToHwio(w, co, ci, kh, kw);
        // W[o=2, i=1, y=2, x=0] lands at kernel[y=2, x=0, i=1, o=2]
        assertEquals(w[((2 * ci + 1) * kh + 2) * kw], k[((2 * kw) * ci + 1) * co + 2]);
        assertArrayEquals(w, Layouts.hwioToOihw(k, kh, kw, ci, co));
    }

    @Test
    void convTransposeKernelRoundTripsAndPlacesEachWeight() {
        int ci = 2, co = 3, kh = 2, kw = 3;
        float[] w = OnnxTesting.uniform(2, co * ci * kh * kw, -1, 1);
        float[] k = Layouts.onnxConvTransposeToHush(w, ci, co, kh, kw);
        // W[i=1, o=2, y=1, x=2] (ONNX [Cin,Cout,KH,KW]) lands at kernel[y=1, x=2, i=1, o=2] ([KH,KW,Cin,Cout])
        assertEquals(w[((ci - 1) * co + 2) * kh * kw + 1 * kw + 2], k[((1 * kw + 2) * ci + 1) * co + 2]);
        assertArrayEquals(w, Layouts.hushConvTransposeToOnnx(k, kh, kw, ci, co));
    }

    @Test
    void transposeMovesEachAxisAsNumpyDoes() {
        int[] dims = {2, 3, 4};
        float[] a = new float[24];
        for (int i = 0; i < a.length; i++) a[i] = i;
        float[] t = Layouts.transpose(a, dims, 1, 2, 0); // [3,4,2]: t[j,k,i] = a[i,j,k]
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) assertEquals(a[(i * 3 + j) * 4 + k], t[(j * 4 + k) * 2 + i]);
        assertArrayEquals(a, Layouts.transpose(t, new int[] {3, 4, 2}, 2, 0, 1));
    }

    @Test
    void flattenOrderMapsChannelMajorToChannelMinor() {
        // C=2, H=1, W=3: PyTorch order c0w0 c0w1 c0w2 c1w0 c1w1 c1w2; Hush order w0c0 w0c1 w1c0 ...
        assertArrayEquals(new int[] {0, 2, 4, 1, 3, 5}, Layouts.chwToHwc(2, 1, 3));
    }
}
