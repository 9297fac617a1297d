package io.hush.bench;

import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.train.Architectures;
import io.hush.train.loss.Loss;
import io.hush.train.loss.PixelLoss;
import io.hush.train.optim.Adam;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One training step of the seed network with Hush: batch 128, MSE, Adam (lr 1e-3) — what {@code Trainer.step} does
 * without its bookkeeping: training-mode forward, copy the output out, MSE loss and its gradient, backward, Adam
 * update. Score: steps per second; {@code gflop} counts 3x the forward FLOPs per step (forward, input gradients,
 * weight gradients: the usual convention, also credited to {@code PeerTorchTrainBench}).
 */
public class SeedTrainBench extends ModelSuiteBench {
    static final int BATCH = 128;

    Model model;
    Adam adam;
    Loss loss = PixelLoss.mse();
    Arena arena;
    Tensor x, gy;
    Shape shape;
    float[] target, out, grad;
    double gflopPerStep;

    @Setup(Level.Trial)
    public void setup() {
        model = Architectures.seed(42).threads(threads);
        adam = new Adam(1e-3);
        adam.attach(model.params(), model.pool());
        arena = Arena.ofShared();
        shape = Shape.of(BATCH, 28, 28, 1);
        x = Tensor.of(arena, ModelBench.inputData(shape.size(), 7), shape.dims());
        target = ModelBench.inputData(shape.size(), 8);
        gy = Tensor.allocate(arena, shape);
        out = new float[(int) shape.size()];
        grad = new float[(int) shape.size()];
        gflopPerStep = 3 * model.flops(shape.dropBatch()) * (double) BATCH * 1e-9;
        step(new ModelBench.Flops());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        adam.close();
        model.close();
        arena.close();
    }

    @Benchmark
    public double step(ModelBench.Flops f) {
        Tensor y = model.forward(x, true);
        MemorySegment.copy(y.data(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, out, 0, out.length);
        double l = loss.compute(out, target, grad, shape, model.pool());
        gy.copyFrom(grad);
        model.backward(gy);
        adam.step();
        f.gflop += gflopPerStep;
        return l;
    }
}
