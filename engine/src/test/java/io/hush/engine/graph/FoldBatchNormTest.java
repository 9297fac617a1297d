package io.hush.engine.graph;

import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Padding;
import io.hush.engine.layers.Param;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class FoldBatchNormTest {

    static void randomiseBn(BatchNorm2D bn, SplittableRandom r) {
        for (Param p : bn.params()) {
            for (long i = 0; i < p.value.size(); i++) {
                double u = r.nextDouble();
                p.value.set(i, (float) switch (p.name) {
                    case "gamma" -> 0.5 + u;
                    case "beta", "moving_mean" -> u - 0.5;
                    default -> 0.2 + u; // moving_variance > 0
                });
            }
        }
    }

    @Test
    void foldedConvMatchesConvPlusBatchNorm() {
        BatchNorm2D bn1 = new BatchNorm2D(0.99f, 1e-3f), bn2 = new BatchNorm2D(0.9f, 1e-5f), bn3 = new BatchNorm2D();
        Model.Builder b = Model.builder(7, 6, 3)
                .add(new Conv2D(5, 3, Activation.LINEAR))                                   // 1 with bias
                .add(bn1)                                                                    // 2 folded
                .add(new Conv2D(5, 3, 3, 2, 2, Padding.SAME, 1, 1, false, Activation.LINEAR)) // 3 without bias
                .add(bn2);                                                                   // 4 folded
        int skipFrom = b.current();
        b.add(new Conv2D(5, 1, Activation.RELU))                                             // 5 not foldable (ReLU)
                .add(bn3)                                                                    // 6 kept
                .add(new Add(), skipFrom, b.current());                                      // 7
        try (Model m = b.build(); Arena a = Arena.ofShared()) {
            SplittableRandom r = new SplittableRandom(3);
            for (BatchNorm2D bn : new BatchNorm2D[] {bn1, bn2, bn3}) randomiseBn(bn, r);
            assertEquals(2, FoldBatchNorm.foldablePairs(m));
            m.card().name("folded-test").description("card survives folding");
            m.metadata().put("hush.output", "residual");
            Tensor x = Tensor.allocate(a, Shape.of(2, 7, 6, 3));
            for (long i = 0; i < x.size(); i++) x.set(i, (float) (r.nextDouble() * 2 - 1));
            float[] expected = m.forward(x).toArray();
            try (Model f = FoldBatchNorm.fold(m)) {
                assertEquals(m.nodes().size() - 2, f.nodes().size());
                assertEquals(0, FoldBatchNorm.foldablePairs(f));
                assertEquals("folded-test", f.card().name());
                assertEquals("card survives folding", f.card().description());
                assertEquals("residual", f.metadata().get("hush.output"), "metadata decides how a denoiser reads the output");
                assertTrue(f.nodes().get(2).layer() instanceof Conv2D c && c.useBias());
                float[] got = f.forward(x).toArray();
                assertEquals(expected.length, got.length);
                for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 2e-5f * (1 + Math.abs(expected[i])), "at " + i);
            }
        }
    }
}
