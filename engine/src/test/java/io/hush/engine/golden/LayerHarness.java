package io.hush.engine.golden;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.ThreadPool;
import io.hush.engine.layers.Exec;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.Param;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs one layer outside a model, the way {@link io.hush.engine.Model} does: create params, copy given values in,
 * forward (and backward when {@code gy != null}) with planned state and scratch. Inputs and outputs are flat NHWC.
 */
public final class LayerHarness {
    /** Threads for the harness pool: 3 on purpose, so static chunking is uneven on small tensors. */
    public static final int THREADS = 3;

    public static final class Run {
        public Shape outShape;
        public float[] y;
        public float[][] gx;
        /** Param values after the call (BatchNorm updates its moving statistics in training mode). */
        public final Map<String, float[]> values = new LinkedHashMap<>();
        public final Map<String, float[]> grads = new LinkedHashMap<>();
    }

    private LayerHarness() {}

    /**
     * @param batchedIn input shapes with batch dimension ({@code [N,H,W,C]} / {@code [N,F]})
     * @param params    values by param name; every param of the layer must be given exactly once
     */
    public static Run run(Layer layer, boolean training, Shape[] batchedIn, float[][] in, Map<String, float[]> params,
                          float[] gy) {
        Run r = new Run();
        try (Arena arena = Arena.ofShared(); ThreadPool pool = new ThreadPool(THREADS)) {
            Shape[] per = new Shape[batchedIn.length];
            for (int i = 0; i < per.length; i++) per[i] = batchedIn[i].dropBatch();
            r.outShape = layer.outputShape(per).withBatch(batchedIn[0].dim(0));
            layer.createParams(per, arena);
            layer.initialize(new SplittableRandom(7));
            Set<String> used = new HashSet<>();
            for (Param p : layer.params()) {
                float[] v = params.get(p.name);
                if (v == null) fail(layer + ": no golden value for param '" + p.name + "' (have " + params.keySet() + ")");
                p.value.copyFrom(v);
                used.add(p.name);
            }
            if (!used.equals(params.keySet())) fail(layer + ": params " + layer.params() + " but golden has " + params.keySet());

            Tensor[] x = new Tensor[in.length];
            Tensor[] gx = new Tensor[in.length];
            for (int i = 0; i < in.length; i++) {
                x[i] = Tensor.of(arena, in[i], batchedIn[i].dims());
                gx[i] = Tensor.allocate(arena, batchedIn[i]);
                gx[i].fill(Float.NaN); // backward must write every element
            }
            Tensor y = Tensor.allocate(arena, r.outShape);
            y.fill(Float.NaN);
            Exec ex = new Exec(pool, training);
            long st = training ? layer.stateFloats(batchedIn, r.outShape, THREADS) : 0;
            long sc = layer.scratchFloats(batchedIn, r.outShape, THREADS);
            ex.state = st > 0 ? arena.allocate(st * 4, 64) : MemorySegment.NULL;
            ex.scratch = sc > 0 ? arena.allocate(sc * 4, 64) : MemorySegment.NULL;
            layer.forward(x, y, ex);
            r.y = y.toArray();
            if (gy != null) {
                for (Param p : layer.params()) p.grad.fill(Float.NaN);
                Tensor g = Tensor.of(arena, gy, r.outShape.dims());
                layer.backward(x, y, g, gx, ex);
                r.gx = new float[in.length][];
                for (int i = 0; i < in.length; i++) r.gx[i] = gx[i].toArray();
                for (Param p : layer.params()) if (p.trainable) r.grads.put(p.name, p.grad.toArray());
            }
            for (Param p : layer.params()) r.values.put(p.name, p.value.toArray());
        }
        return r;
    }

    public static Shape shape(int... d) { return Shape.of(d); }
}
