package io.hush.engine.graph;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.layers.Exec;
import io.hush.engine.layers.Layer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Every buffer one forward (and, for training, backward) pass needs at one batched input shape, allocated once
 * in its own arena and reused by every call with that shape: the steady state allocates nothing.
 *
 * <p>Inference plans share memory between activations whose lifetimes do not overlap (a node's buffer is free
 * after its last consumer ran), so a deep plain network needs about two activation buffers, not one per layer.
 * Training plans keep every activation (backward needs them) plus a gradient per node and per-layer state.
 *
 * <p>A plan is the whole mutable state of one forward (and backward) pass, including its {@link Exec}: it serves
 * one call at a time. A model keeps a small pool of idle inference plans per input shape and lends one to each
 * call in flight, which is what makes concurrent inference on one model safe.
 */
public final class Plan implements AutoCloseable {
    public final Shape inputShape;
    public final boolean training;
    public final Shape[] shapes;     // batched shape of every node
    public final Tensor[] act;       // act[0] is bound to the caller's input on each call
    public final Tensor[] grad;      // dL/d(node output); training only, null for node 0
    /** For fan-out nodes (k > 1 consumers): one gradient buffer per consumer edge, summed into grad[node]. */
    public final Tensor[][] edgeGrad;
    public final MemorySegment[] state;
    /** ins[i][k]: the tensor node i reads as input k (node 0's slot is rebound to each call's input). */
    public final Tensor[][] ins;
    /** gradIns[i][k]: where node i's backward writes dL/d(input k); null for the model input. */
    public final Tensor[][] gradIns;
    public final MemorySegment scratch;
    /** The pool, mode, state and scratch the layers see during this plan's passes. */
    public final Exec exec;
    private final Arena arena = Arena.ofShared();
    private final int last;
    private final Tensor ownOutput;
    private Tensor inputStage;
    private long bytes;

    /**
     * Plans every buffer for {@code nodes} at batched input shape {@code inputShape}; the mode is
     * {@code exec.training} and per-thread scratch is sized for {@code exec.threads()}.
     */
    public Plan(List<Node> nodes, Shape inputShape, Exec exec) {
        this.inputShape = inputShape;
        this.exec = exec;
        boolean training = exec.training;
        int threads = exec.threads();
        this.training = training;
        int n = nodes.size();
        int batch = inputShape.dim(0);
        shapes = new Shape[n];
        shapes[0] = inputShape;
        for (int i = 1; i < n; i++) {
            Node node = nodes.get(i);
            Shape[] inPer = new Shape[node.inputs().length];
            for (int k = 0; k < inPer.length; k++) inPer[k] = shapes[node.inputs()[k]].dropBatch();
            shapes[i] = node.layer().outputShape(inPer).withBatch(batch);
        }
        int[] lastUse = new int[n];
        int[] consumers = new int[n];
        for (int i = 0; i < n; i++) lastUse[i] = i;
        lastUse[n - 1] = n; // the output outlives the pass
        for (Node node : nodes) {
            for (int src : node.inputs()) {
                lastUse[src] = Math.max(lastUse[src], node.id());
                consumers[src]++;
            }
        }

        act = new Tensor[n];
        if (training) {
            for (int i = 1; i < n; i++) act[i] = alloc(shapes[i]);
        } else {
            // Greedy reuse: a slab is free once the node that last read it has run.
            List<MemorySegment> free = new ArrayList<>();
            List<List<MemorySegment>> releaseAt = new ArrayList<>();
            for (int i = 0; i <= n; i++) releaseAt.add(new ArrayList<>());
            MemorySegment[] slab = new MemorySegment[n];
            for (int i = 1; i < n; i++) {
                long bytes = shapes[i].size() * 4;
                MemorySegment best = null;
                for (MemorySegment s : free) {
                    if (s.byteSize() >= bytes && (best == null || s.byteSize() < best.byteSize())) best = s;
                }
                if (best != null) free.remove(best);
                else best = alloc(bytes);
                slab[i] = best;
                act[i] = new Tensor(best, shapes[i]);
                // inputs whose last reader is this node can be reused by later nodes
                for (int src : nodes.get(i).inputs()) {
                    if (src > 0 && lastUse[src] == i && slab[src] != null) {
                        free.add(slab[src]);
                        slab[src] = null;
                    }
                }
            }
        }

        grad = new Tensor[n];
        edgeGrad = new Tensor[n][];
        state = new MemorySegment[n];
        long scratchFloats = 0;
        for (int i = 1; i < n; i++) {
            Layer layer = nodes.get(i).layer();
            Shape[] in = inShapes(nodes.get(i));
            scratchFloats = Math.max(scratchFloats, layer.scratchFloats(in, shapes[i], threads));
            long st = training ? layer.stateFloats(in, shapes[i], threads) : 0;
            state[i] = st > 0 ? alloc(st * 4) : MemorySegment.NULL;
        }
        scratch = scratchFloats > 0 ? alloc(scratchFloats * 4) : MemorySegment.NULL;
        if (training) {
            for (int i = 1; i < n; i++) {
                grad[i] = alloc(shapes[i]);
                if (consumers[i] > 1) {
                    edgeGrad[i] = new Tensor[consumers[i]];
                    for (int k = 0; k < consumers[i]; k++) edgeGrad[i][k] = alloc(shapes[i]);
                }
            }
        }
        ins = new Tensor[n][];
        gradIns = new Tensor[n][];
        int[] edgeCursor = new int[n];
        for (int i = 1; i < n; i++) {
            int[] src = nodes.get(i).inputs();
            ins[i] = new Tensor[src.length];
            gradIns[i] = new Tensor[src.length];
            for (int k = 0; k < src.length; k++) {
                ins[i][k] = act[src[k]];
                if (!training || src[k] == 0) continue;
                gradIns[i][k] = edgeGrad[src[k]] != null ? edgeGrad[src[k]][edgeCursor[src[k]]++] : grad[src[k]];
            }
        }
        last = n - 1;
        ownOutput = act[last];
    }

    /** Binds the caller's input tensor as node 0's output for this call ({@code null} drops the reference). */
    public void bindInput(List<Node> nodes, Tensor x) {
        act[0] = x;
        for (int i = 1; i < nodes.size(); i++) {
            int[] src = nodes.get(i).inputs();
            for (int k = 0; k < src.length; k++) if (src[k] == 0) ins[i][k] = x;
        }
    }

    /**
     * Makes the last node write into the caller's {@code out} (shape {@code shapes[last]}) for this call instead of
     * the plan's own buffer; {@code null} restores the plan's buffer. No node reads the last node's output, so
     * nothing else needs rebinding.
     */
    public void bindOutput(Tensor out) {
        if (last == 0) throw new IllegalStateException("a plan without layers has no output buffer to rebind");
        act[last] = out == null ? ownOutput : out;
    }

    /** The output of the last pass (the plan's own buffer unless {@link #bindOutput} rebound it). */
    public Tensor output() { return act[last]; }

    /**
     * A tensor of the plan's input shape in the plan's arena, allocated on first use and kept: where
     * {@code Model.predict} stages a caller's array without allocating per call.
     */
    public Tensor inputStage() {
        if (inputStage == null) inputStage = alloc(inputShape);
        return inputStage;
    }

    private Shape[] inShapes(Node node) {
        Shape[] in = new Shape[node.inputs().length];
        for (int k = 0; k < in.length; k++) in[k] = shapes[node.inputs()[k]];
        return in;
    }

    /** Bytes of workspace this plan holds. */
    public long bytes() { return bytes; }

    private MemorySegment alloc(long bytes) {
        this.bytes += bytes;
        return arena.allocate(bytes, Tensor.ALIGN);
    }

    private Tensor alloc(Shape s) { return new Tensor(alloc(s.size() * 4), s); }

    @Override
    public void close() {
        arena.close();
    }
}
