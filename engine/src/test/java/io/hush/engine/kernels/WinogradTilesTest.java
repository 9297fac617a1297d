package io.hush.engine.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The Winograd GEMM step's two register tiles agree bit for bit: {@link ConvWinograd#gemmTile8} (8 rows, for 32
 * vector registers) against two {@link ConvWinograd#gemmTile} calls (4 rows each), at reduction lengths that are and
 * are not multiples of the lane count. ConvKernelsTest covers the whole convolution with the machine's choice of tile;
 * the 128-bit test execution (engine/pom.xml) forces the 8-row tile, so both run at several widths on any machine.
 */
class WinogradTilesTest {
    @Test
    void eightRowTileEqualsTwoFourRowTiles() {
        SplittableRandom r = new SplittableRandom(5);
        int b = ConvSimd.B;
        for (int cred : new int[] {1, 3, 16, 17, 33, 64}) {
            int stride = cred + 3, dStride = b + 5;
            float[] src = new float[8 * stride + 7];
            float[] wk = new float[cred * b + 11];
            for (int i = 0; i < src.length; i++) src[i] = (float) r.nextDouble() - 0.5f;
            for (int i = 0; i < wk.length; i++) wk[i] = (float) r.nextDouble() - 0.5f;
            float[] wide = new float[8 * dStride + 2 * b], narrow = new float[wide.length];
            ConvWinograd.gemmTile8(src, 2, stride, wk, 3, cred, wide, 1, dStride);
            ConvWinograd.gemmTile(src, 2, stride, wk, 3, cred, narrow, 1, dStride);
            ConvWinograd.gemmTile(src, 2 + 4 * stride, stride, wk, 3, cred, narrow, 1 + 4 * dStride, dStride);
            assertArrayEquals(narrow, wide, "cred " + cred);
        }
    }
}
