package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.ThreadPool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Runs one layer forward (and optionally backward) outside a model, for tests. Close it to free memory. */
final class LayerRunner implements AutoCloseable {
    final Arena arena = Arena.ofShared();
    final ThreadPool pool;
    final Layer layer;
    final Shape[] inShapes;
    final Tensor[] in;
    final Tensor[] gradIn;
    final Tensor out;
    final Exec ex;

    LayerRunner(Layer layer, int threads, boolean training, Shape... batchedIn) {
        this.layer = layer;
        this.inShapes = batchedIn;
        pool = new ThreadPool(threads);
        Shape[] per = new Shape[batchedIn.length];
        for (int i = 0; i < per.length; i++) per[i] = batchedIn[i].dropBatch();
        Shape outShape = layer.outputShape(per).withBatch(batchedIn[0].dim(0));
        if (layer.params().isEmpty()) {
            layer.createParams(per, arena);
            layer.initialize(new SplittableRandom(7));
        }
        in = new Tensor[batchedIn.length];
        gradIn = new Tensor[batchedIn.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = Tensor.allocate(arena, batchedIn[i]);
            gradIn[i] = Tensor.allocate(arena, batchedIn[i]);
        }
        out = Tensor.allocate(arena, outShape);
        ex = new Exec(pool, training);
        long st = layer.stateFloats(batchedIn, outShape, threads);
        long sc = layer.scratchFloats(batchedIn, outShape, threads);
        ex.state = st > 0 ? arena.allocate(st * 4, 64) : MemorySegment.NULL;
        ex.scratch = sc > 0 ? arena.allocate(sc * 4, 64) : MemorySegment.NULL;
    }

    LayerRunner fillRandom(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Tensor t : in) for (long j = 0; j < t.size(); j++) t.set(j, (float) (r.nextDouble() * 2 - 1));
        return this;
    }

    float[] forward() {
        layer.forward(in, out, ex);
        return out.toArray();
    }

    /** Backward with the given output gradient; returns the input gradients. */
    float[][] backward(float[] gy) {
        Tensor g = Tensor.allocate(arena, out.shape());
        g.copyFrom(gy);
        layer.backward(in, out, g, gradIn, ex);
        float[][] r = new float[gradIn.length][];
        for (int i = 0; i < r.length; i++) r[i] = gradIn[i].toArray();
        return r;
    }

    static float[] random(long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    @Override
    public void close() {
        pool.close();
        arena.close();
    }
}
