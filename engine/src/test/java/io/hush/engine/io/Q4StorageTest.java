package io.hush.engine.io;

import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.io.proto.DataType;
import io.hush.engine.io.proto.HushModel;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Dense;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Storage#Q4}: 4-bit block codes for big kernels, float16 for small tensors, float16 fallback for non-finite. */
class Q4StorageTest {
    /** Dense 997 -> 77: a 76,769-element kernel (odd, 299.9 blocks of 256) and a 77-element bias. */
    static Model dense() {
        Model m = Model.builder(Shape.of(997)).seed(3).add(new Dense(77, Activation.RELU)).build();
        SplittableRandom r = new SplittableRandom(5);
        float[] k = m.params().get(0).value.toArray();
        for (int i = 0; i < k.length; i++) k[i] = (float) (r.nextGaussian() * 0.05 + (i / 256 == 3 ? 40 : 0)); // block 3 offset far from 0
        for (int i = 512; i < 768; i++) k[i] = 0.125f;                                                     // block 2 constant
        m.params().get(0).value.copyFrom(k);
        m.params().get(1).value.copyFrom(new float[77]);
        m.params().get(1).value.set(5, 0.3f);
        return m;
    }

    @Test
    void bigKernelsTakeFourBitsWithinHalfALevel() throws Exception {
        try (Model m = dense()) {
            float[] a = m.params().get(0).value.toArray();
            HushModel enc = ModelEncoder.encode(m, Storage.Q4, Instant.EPOCH, "t");
            assertEquals(DataType.Q4_BLOCK256, enc.getNodes(0).getParams(0).getDataType());
            assertEquals(DataType.FLOAT16, enc.getNodes(0).getParams(1).getDataType(), "small tensors stay float16");
            assertEquals(300 * 4 + (76769 + 1) / 2, enc.getNodes(0).getParams(0).getData().size());
            try (Model r = HushFormat.fromBytes(HushFormat.toBytes(m, Storage.Q4), "q4.hush")) {
                float[] b = r.params().get(0).value.toArray();
                for (int blk = 0; blk * 256 < a.length; blk++) {
                    int from = blk * 256, to = Math.min(a.length, from + 256);
                    float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
                    for (int i = from; i < to; i++) { lo = Math.min(lo, a[i]); hi = Math.max(hi, a[i]); }
                    // half a level, plus float16 rounding of the block's offset and scale
                    double tol = (hi - lo) / 30 * 1.001 + (Math.abs(lo) + Math.abs(hi)) * 0x1p-10;
                    double worst = 0;
                    for (int i = from; i < to; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
                    assertTrue(worst <= tol, "block " + blk + ": error " + worst + " > " + tol);
                    if (blk == 2) assertEquals(0.0, worst, "a constant block is exact");
                }
                // 16 levels per block at most
                java.util.Set<Float> levels = new java.util.HashSet<>();
                for (int i = 0; i < 256; i++) levels.add(b[i]);
                assertTrue(levels.size() <= 16 && levels.size() >= 8, levels.size() + " levels");
                assertEquals(0.3f, r.params().get(1).value.get(5), 0.3 * 0x1p-11);
            }
        }
    }

    @Test
    void fileIsAboutAnEighthOfFloat32() {
        try (Model m = dense()) {
            int full = HushFormat.toBytes(m, Storage.FLOAT32).length, q4 = HushFormat.toBytes(m, Storage.Q4).length;
            // kernel 76,769 x 4 bytes -> 39,585 bytes; the card and graph are the same in both
            assertTrue(full - q4 >= 76769 * 4 - 39585 - 77 * 2 - 16, full + " -> " + q4);
            assertTrue(Storage.Q4_MIN_ELEMENTS > 77 && Storage.Q4_MIN_ELEMENTS <= 76769);
        }
    }

    @Test
    void nonFiniteValuesFallBackToFloat16() throws Exception {
        try (Model m = dense()) {
            m.params().get(0).value.set(10, Float.NaN);
            HushModel enc = ModelEncoder.encode(m, Storage.Q4, Instant.EPOCH, "t");
            assertEquals(DataType.FLOAT16, enc.getNodes(0).getParams(0).getDataType());
            m.params().get(0).value.set(10, 1e6f); // finite, but the block's offset/scale do not fit float16
            enc = ModelEncoder.encode(m, Storage.Q4, Instant.EPOCH, "t");
            assertEquals(DataType.FLOAT32, enc.getNodes(0).getParams(0).getDataType(), "float16 cannot hold 1e6 either");
            try (Model r = HushFormat.fromBytes(HushFormat.toBytes(m, Storage.Q4), "q4.hush")) {
                assertEquals(1e6f, r.params().get(0).value.get(10));
            }
        }
    }

    @Test
    void codesAreLowNibbleFirst() {
        // 3 values in one block: offset 1, scale (16 - 1) / 15 = 1 -> codes 0, 15 and round(7.5) = 8
        float[] v = {1f, 16f, 8.5f};
        byte[] q = TensorCodec.encodeQ4(v);
        assertEquals(4 + 2, q.length);
        assertEquals(Float.floatToFloat16(1f), (short) ((q[0] & 0xFF) | (q[1] << 8)), "scale");
        assertEquals(Float.floatToFloat16(1f), (short) ((q[2] & 0xFF) | (q[3] << 8)), "offset");
        assertEquals((15 << 4) | 0, q[4] & 0xFF);
        assertEquals(8, q[5] & 0xFF); // round(7.5) = 8, high nibble of the odd tail is zero
    }
}
