package io.hush.bench;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.BatchNormKernels;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Exec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * BatchNorm2D on {@code seed} = [32,28,28,32] and {@code big} = [8,64,64,64]: training forward (two reduction
 * passes + normalise), training backward (one reduction pass + dx), and inference forward (one fused pass).
 * The seed network has no BatchNorm; {@code seed} is its first activation's shape, {@code big} a DnCNN-like one.
 * {@code impl=scalar} runs the same passes, split over the threads the same way, with the scalar twins of the
 * {@link BatchNormKernels} (the O(C) per-channel bookkeeping between passes is done here, as the layer does it).
 */
public class BatchNormBench extends LayerBench {
    @Param({"seed", "big"})
    public String shape;
    @Param({"simd", "scalar"})
    public String impl;

    BatchNorm2D layer;
    Exec train, infer;
    // scalar path: per-call partial sums [blocks][C] and per-channel vectors [C]
    int c, nb;
    long pixels;
    MemorySegment part1, part2, mean, var, invstd, scale, shift, sumG, sumGX, a, mg, q;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Setup(Level.Trial)
    public void setup() {
        open();
        if (!impl.equals("simd") && !impl.equals("scalar")) throw new IllegalArgumentException("impl: simd or scalar, got " + impl);
        Shape inB = switch (shape) {
            case "seed" -> Shape.of(32, 28, 28, 32);
            case "big" -> Shape.of(8, 64, 64, 64);
            default -> throw new IllegalArgumentException("shape: seed or big, got " + shape);
        };
        layer = new BatchNorm2D();
        layer.createParams(new Shape[] {inB.dropBatch()}, arena);
        layer.initialize(new SplittableRandom(1));
        tensors(inB, inB, 3, false);
        Shape[] ins = {inB};
        train = new Exec(pool, true);
        train.state = floats(layer.stateFloats(ins, inB, threads));
        train.scratch = floats(layer.scratchFloats(ins, inB, threads));
        infer = new Exec(pool, false);
        infer.scratch = train.scratch;
        c = inB.dim(-1);
        pixels = inB.size() / c;
        nb = BatchNormKernels.blocks(pixels);
        part1 = floats((long) nb * c);
        part2 = floats((long) nb * c);
        MemorySegment[] v = new MemorySegment[10];
        for (int i = 0; i < v.length; i++) v[i] = floats(c);
        mean = v[0]; var = v[1]; invstd = v[2]; scale = v[3]; shift = v[4]; sumG = v[5]; sumGX = v[6]; a = v[7]; mg = v[8]; q = v[9];
        if (impl.equals("simd")) layer.forward(in, out, train);
        else scalarTrainForward();
    }

    @Benchmark
    public Tensor trainForward() {
        if (impl.equals("simd")) layer.forward(in, out, train);
        else scalarTrainForward();
        return out;
    }

    @Benchmark
    public Tensor trainBackward() {
        if (impl.equals("simd")) layer.backward(in, out, gradOut, gradIn, train);
        else scalarTrainBackward();
        return gradIn[0];
    }

    @Benchmark
    public Tensor inferForward() {
        if (impl.equals("simd")) {
            layer.forward(in, out, infer);
        } else {
            for (int k = 0; k < c; k++) {
                float s = layer.gamma().value.get(k)
                        * (float) (1.0 / Math.sqrt((double) layer.movingVariance().value.get(k) + layer.epsilon()));
                scale.setAtIndex(F, k, s);
                shift.setAtIndex(F, k, layer.beta().value.get(k) - layer.movingMean().value.get(k) * s);
            }
            scalarNormalize();
        }
        return out;
    }

    /** BatchNorm2D.forward (training) with the scalar kernels; moving averages not updated (O(C), not measured). */
    private void scalarTrainForward() {
        MemorySegment x = in[0].data();
        double inv = 1.0 / pixels;
        pool.parallelFor(nb, (lo, hi, t) -> BatchNormKernels.blockSumsScalar(x, c, pixels, part1, lo, hi));
        pool.parallelFor(c, (lo, hi, t) -> BatchNormKernels.reduce(part1, nb, c, inv, mean, lo, hi));
        pool.parallelFor(nb, (lo, hi, t) -> BatchNormKernels.blockSqDevScalar(x, mean, c, pixels, part1, lo, hi));
        pool.parallelFor(c, (lo, hi, t) -> BatchNormKernels.reduce(part1, nb, c, inv, var, lo, hi));
        for (int k = 0; k < c; k++) {
            float is = (float) (1.0 / Math.sqrt((double) var.getAtIndex(F, k) + layer.epsilon()));
            invstd.setAtIndex(F, k, is);
            float s = layer.gamma().value.get(k) * is;
            scale.setAtIndex(F, k, s);
            shift.setAtIndex(F, k, layer.beta().value.get(k) - mean.getAtIndex(F, k) * s);
        }
        scalarNormalize();
    }

    private void scalarNormalize() {
        MemorySegment x = in[0].data(), y = out.data();
        pool.parallelFor(nb, (lo, hi, t) -> BatchNormKernels.normalizeScalar(x, y, scale, shift, c,
                (long) lo * BatchNormKernels.BLOCK, Math.min(pixels, (long) hi * BatchNormKernels.BLOCK)));
    }

    /** BatchNorm2D.backward (training) with the scalar kernels, using the statistics of the last scalar forward. */
    private void scalarTrainBackward() {
        MemorySegment x = in[0].data(), g = gradOut.data(), dx = gradIn[0].data();
        pool.parallelFor(nb, (lo, hi, t) -> BatchNormKernels.blockGradSumsScalar(g, x, mean, c, pixels, part1, part2, lo, hi));
        pool.parallelFor(c, (lo, hi, t) -> {
            BatchNormKernels.reduce(part1, nb, c, 1.0, sumG, lo, hi);
            BatchNormKernels.reduce(part2, nb, c, 1.0, sumGX, lo, hi);
        });
        for (int k = 0; k < c; k++) {
            float is = invstd.getAtIndex(F, k), sg = sumG.getAtIndex(F, k), sgx = sumGX.getAtIndex(F, k);
            layer.beta().grad.set(k, sg);
            layer.gamma().grad.set(k, sgx * is);
            a.setAtIndex(F, k, layer.gamma().value.get(k) * is);
            mg.setAtIndex(F, k, (float) (sg / (double) pixels));
            q.setAtIndex(F, k, (float) ((double) sgx * is * is / pixels));
        }
        pool.parallelFor(nb, (lo, hi, t) -> BatchNormKernels.backwardDxScalar(g, x, dx, a, mg, mean, q, c,
                (long) lo * BatchNormKernels.BLOCK, Math.min(pixels, (long) hi * BatchNormKernels.BLOCK)));
    }
}
