package io.hush.engine.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The F(4x4,3x3) Winograd forward path ({@link ConvWinograd4}: 3x3 stride 1, cin and cout >= 32) against the scalar
 * reference with ConvKernelsTest's bound (2 K 2^-24 sum|a_i b_i|) and its 1-vs-2-thread bit-identity check, on
 * awkward geometries: heights that leave 1, 2 or 3 rows in the last group of 4, widths that leave partial tiles and
 * partial chunks, channel counts that are not multiples of the lane count (input and output), pads 0, 1 and 2,
 * asymmetric pads, batch 2, one output row.
 */
class Winograd4Test extends TwoPools {

    static final ConvGeom[] CASES = {
            ConvKernelsTest.geom(1, 5, 7, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
            ConvKernelsTest.geom(2, 6, 17, 33, 35, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
            ConvKernelsTest.geom(1, 7, 33, 40, 64, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2),
            ConvKernelsTest.geom(1, 9, 9, 64, 32, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0),
            ConvKernelsTest.geom(1, 3, 21, 48, 48, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1),
            ConvKernelsTest.geom(1, 1, 11, 32, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
            ConvKernelsTest.geom(1, 13, 3, 64, 64, 3, 3, 1, 1, 1, 1, 2, 0, 0, 2),
    };

    @Test
    void forwardMatchesScalarAndThreadsAgree() {
        SplittableRandom rng = new SplittableRandom(17);
        for (ConvGeom g : CASES) {
            assertEquals(ConvKernels.Forward.WINOGRAD_4X4, ConvKernels.forwardPath(g), g + " takes the F(4x4,3x3) path");
            ConvKernelsTest.check(g, rng);
        }
    }

    /** Small maps stay direct by default (too few tiles); from the threshold on, 3x3 stride-1 layers go Winograd. */
    @Test
    void smallMapsStayDirect() {
        ConvGeom small = ConvKernelsTest.geom(1, 14, 14, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
        ConvGeom large = ConvKernelsTest.geom(1, 32, 32, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
        assertEquals(ConvKernels.Forward.DIRECT, ConvKernels.forwardPath(small, 1024), small.toString());
        assertEquals(ConvKernels.Forward.WINOGRAD_4X4, ConvKernels.forwardPath(large, 1024), large.toString());
        assertEquals(ConvKernels.Forward.WINOGRAD_4X4, ConvKernels.forwardPath(small, 0), small.toString());
        ConvGeom batch = ConvKernelsTest.geom(8, 14, 14, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
        assertEquals(ConvKernels.Forward.WINOGRAD_4X4, ConvKernels.forwardPath(batch, 1024), "8 x 14x14 = 1568 pixels");
    }
}
