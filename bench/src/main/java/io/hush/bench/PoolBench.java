package io.hush.bench;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.PoolKernels;
import io.hush.engine.layers.Exec;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Padding;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * MaxPool2D 2x2/2 SAME. Cases: the seed network's two pools at batch 32, {@code seed} = [32,28,28,32] -> 14x14
 * and {@code seed2} = [32,14,14,64] -> 7x7; {@code big} = [8,64,64,64]. {@code forward} is training mode (argmax kept); {@code infer} skips the argmax;
 * {@code impl=scalar} runs the scalar reference kernel (rows split over threads like the SIMD one).
 */
public class PoolBench extends LayerBench {
    @Param({"seed", "seed2", "big"})
    public String shape;
    @Param({"simd", "scalar"})
    public String impl;

    MaxPool2D layer;
    Exec train, infer;
    PoolKernels.Geometry geom;

    @Setup(Level.Trial)
    public void setup() {
        open();
        Shape inB = switch (shape) {
            case "seed" -> Shape.of(32, 28, 28, 32);
            case "seed2" -> Shape.of(32, 14, 14, 64);
            case "big" -> Shape.of(8, 64, 64, 64);
            default -> throw new IllegalArgumentException("shape: seed, seed2 or big, got " + shape);
        };
        layer = new MaxPool2D(2, Padding.SAME);
        Shape outB = layer.outputShape(inB.dropBatch()).withBatch(inB.dim(0));
        tensors(inB, outB, 3, false);
        train = new Exec(pool, true);
        train.state = floats(layer.stateFloats(new Shape[] {inB}, outB, threads));
        infer = new Exec(pool, false);
        geom = new PoolKernels.Geometry(inB.dim(1), inB.dim(2), inB.dim(3), outB.dim(1), outB.dim(2), 2, 2, 2, 2, 0, 0);
        layer.forward(in, out, train); // the argmax backward reads
    }

    private void run(Exec ex) {
        if (impl.equals("simd")) {
            layer.forward(in, out, ex);
        } else {
            boolean withArg = ex.training;
            pool.parallelFor(out.shape().dim(0) * geom.oh(), (lo, hi, t) ->
                    PoolKernels.maxPoolScalar(geom, in[0].data(), out.data(), train.state, withArg, lo, hi));
        }
    }

    @Benchmark
    public Tensor forward() {
        run(train);
        return out;
    }

    @Benchmark
    public Tensor infer() {
        run(infer);
        return out;
    }

    /** Backward from the argmax of the setup's training forward; {@code impl=scalar}: the reference scatter. */
    @Benchmark
    public Tensor backward() {
        if (impl.equals("simd")) {
            layer.backward(in, out, gradOut, gradIn, train);
        } else {
            int cb = PoolKernels.BACKWARD_CHANNEL_BLOCK, units = in[0].shape().dim(0) * ((geom.c() + cb - 1) / cb);
            pool.parallelFor(units, (lo, hi, t) ->
                    PoolKernels.maxPoolBackwardScalar(geom, gradOut.data(), train.state, gradIn[0].data(), cb, lo, hi));
        }
        return gradIn[0];
    }
}
