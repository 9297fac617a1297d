package io.hush.keras;

import io.hush.engine.Model;
import io.hush.engine.Tensor;
import io.hush.engine.io.ImportOptions;
import io.hush.engine.layers.Param;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Imported models train like native ones: every trainable parameter of models built from the new layers (pooling,
 * resizing, padding, cropping, merges, ELU, softmax, a nested model) gets a finite gradient, and a few plain gradient
 * steps lower a squared-error loss.
 */
class FineTuneTest {
    static double step(Model m, float[] x, float[] target, int[] dims, float lr, boolean update) {
        try (Arena a = Arena.ofShared()) {
            Tensor y = m.forward(Tensor.of(a, x, dims), true);
            Tensor g = Tensor.allocate(a, y.shape());
            double loss = 0;
            for (long i = 0; i < y.size(); i++) {
                double d = y.get(i) - target[(int) i];
                loss += d * d;
                g.set(i, (float) (2 * d / y.size()));
            }
            m.backward(g);
            for (Param p : m.params()) {
                if (!p.trainable) continue;
                for (long i = 0; i < p.grad.size(); i++) {
                    float v = p.grad.get(i);
                    assertTrue(Float.isFinite(v), p + " gradient is not finite");
                    if (update) p.value.set(i, p.value.get(i) - lr * v);
                }
            }
            return loss / y.size();
        }
    }

    @Test
    void importedModelsFineTune() throws Exception {
        for (String f : new String[] {"k3_sequential.keras", "k3_merge.keras"}) {
            try (Model m = KerasImporter.read(Fixtures.bytes(f), f, ImportOptions.DEFAULT)) {
                Fixtures.Npy x = Fixtures.npy(f.replace(".keras", ".input.npy"));
                SplittableRandom r = new SplittableRandom(3);
                int outSize = (int) m.outputShape().size() * x.shape()[0];
                float[] target = new float[outSize];
                for (int i = 0; i < outSize; i++) target[i] = (float) r.nextDouble();
                double first = step(m, x.data(), target, x.shape(), 0f, false);
                int moved = 0;
                for (Param p : m.params()) {
                    if (!p.trainable) continue;
                    boolean nonZero = false;
                    for (long i = 0; i < p.grad.size() && !nonZero; i++) nonZero = p.grad.get(i) != 0f;
                    if (nonZero) moved++;
                }
                assertTrue(moved > 0, f + ": no gradient reached any parameter");
                double loss = first;
                for (int k = 0; k < 3; k++) loss = step(m, x.data(), target, x.shape(), 0.05f, true);
                loss = step(m, x.data(), target, x.shape(), 0f, false);
                assertTrue(loss < first, f + ": loss " + first + " -> " + loss);
            }
        }
    }
}
