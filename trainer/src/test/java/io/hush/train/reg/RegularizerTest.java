package io.hush.train.reg;

import io.hush.engine.Tensor;
import io.hush.engine.layers.Param;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class RegularizerTest {
    @Test
    void weightPenalty() {
        try (Arena a = Arena.ofConfined()) {
            Param k = new Param("k", Tensor.of(a, new float[] {0.5f, -2f}, 2), Tensor.of(a, new float[] {1f, 1f}, 2), true, true);
            Param b = new Param("b", Tensor.of(a, new float[] {3f}, 1), Tensor.of(a, new float[] {1f}, 1), true, false);
            // 0.1 * 2.5 + 0.01 * 4.25; gradient 0.1 sign(w) + 0.02 w added; the bias is left alone
            assertEquals(0.2925, new WeightRegularizer(0.1, 0.01).apply(List.of(k, b)), 1e-7);
            assertArrayEquals(new float[] {1.11f, 0.86f}, k.grad.toArray(), 1e-6f);
            assertArrayEquals(new float[] {1f}, b.grad.toArray());
        }
    }

    @Test
    void klSparsityValueAndGradient() {
        int n = 3, units = 4;
        float[] act = new float[n * 2 * units]; // [3, 2, 4]: two positions per sample
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < act.length; i++) act[i] = (float) (0.05 + 0.9 * r.nextDouble());
        ActivityRegularizer reg = new ActivityRegularizer(1, 0.1, 0.7, 0.01);
        float[] g = new float[act.length];
        double v = reg.apply(act, g, n, units);
        // value by hand
        double want = 0, abs = 0;
        for (int j = 0; j < units; j++) {
            double m = 0;
            for (int i = j; i < act.length; i += units) m += act[i];
            m /= act.length / units;
            want += 0.7 * (0.1 * Math.log(0.1 / m) + 0.9 * Math.log(0.9 / (1 - m)));
        }
        for (float x : act) abs += Math.abs(x);
        want += 0.01 * abs / n;
        assertEquals(want, v, 1e-9);
        // finite differences
        float[] tmp = new float[act.length];
        for (int i = 0; i < act.length; i++) {
            float o = act[i];
            act[i] = o + 1e-3f;
            double hp = act[i] - (double) o, lp = reg.apply(act, tmp, n, units);
            act[i] = o - 1e-3f;
            double hm = o - (double) act[i], lm = reg.apply(act, tmp, n, units);
            act[i] = o;
            assertEquals((lp - lm) / (hp + hm), g[i], 1e-4, "d/da[" + i + "]");
        }
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> new WeightRegularizer(-1, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ActivityRegularizer.kl(2, 1.5, 1));
        assertTrue(e.getMessage().contains("rho"), e.getMessage());
    }
}
