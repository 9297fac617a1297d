package io.hush.engine;

import io.hush.engine.graph.Node;
import io.hush.engine.graph.Plan;
import io.hush.engine.kernels.Elementwise;
import io.hush.engine.layers.Exec;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.Param;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A model: a small graph of layers (a sequence plus skip connections) with its parameters, built by
 * {@link #builder}. It owns an arena holding parameters and the workspace {@link Plan}s, so close it (it is
 * {@link AutoCloseable}, like an ONNX Runtime session) to free them.
 *
 * <pre>{@code
 * try (Model m = Model.builder(28, 28, 1)
 *         .add(new Conv2D(32, 3, Activation.RELU))
 *         .add(new MaxPool2D(2))
 *         .build()) {
 *     Tensor y = m.forward(x);              // x: [N,28,28,1]
 * }
 * }</pre>
 *
 * Tensors returned by {@link #forward} live in the model's workspace and are overwritten by the next call.
 * A model is not thread-safe: one caller at a time (it uses all cores itself).
 */
public final class Model implements AutoCloseable {
    private final List<Node> nodes;
    private final Arena arena;
    private final ModelCard card = new ModelCard();
    private ThreadPool pool;
    private boolean ownPool;
    private Plan plan;
    private final Exec exec;
    private Tensor lastInput;
    private long[] profileNanos; // per-node forward time, summed; null when not profiling

    private Model(List<Node> nodes, Arena arena) {
        this.nodes = List.copyOf(nodes);
        this.arena = arena;
        this.pool = ThreadPool.common();
        this.exec = new Exec(pool, false);
    }

    /** A builder for a model whose per-sample input is {@code [H,W,C]}. */
    public static Builder builder(int h, int w, int c) {
        return new Builder(Shape.of(h, w, c));
    }

    /** A builder for a model with any per-sample input shape (e.g. {@code [F]} for a dense model). */
    public static Builder builder(Shape input) {
        return new Builder(input);
    }

    public List<Node> nodes() { return nodes; }

    /** Per-sample input shape the model was built with. */
    public Shape inputShape() { return nodes.get(0).shape(); }

    /** Per-sample output shape for the build-time input shape. */
    public Shape outputShape() { return nodes.get(nodes.size() - 1).shape(); }

    /** Per-sample output shape for another input shape, or a ShapeException if the model cannot take it. */
    public Shape outputShape(Shape input) {
        Shape[] s = new Shape[nodes.size()];
        s[0] = input;
        for (int i = 1; i < s.length; i++) {
            Node n = nodes.get(i);
            Shape[] in = new Shape[n.inputs().length];
            for (int k = 0; k < in.length; k++) in[k] = s[n.inputs()[k]];
            s[i] = n.layer().outputShape(in);
        }
        return s[s.length - 1];
    }

    public List<Param> params() {
        List<Param> all = new ArrayList<>();
        for (Node n : nodes) if (n.layer() != null) all.addAll(n.layer().params());
        return Collections.unmodifiableList(all);
    }

    public long parameterCount() {
        long c = 0;
        for (Param p : params()) c += p.value.size();
        return c;
    }

    /**
     * Re-initialises every parameter with {@code scheme} from {@code seed}, exactly as building with
     * {@code builder.seed(seed).init(scheme)} would (BatchNorm back to identity statistics).
     */
    public Model initialize(io.hush.engine.layers.Init scheme, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        for (Node n : nodes) if (n.layer() != null) n.layer().initialize(rng, scheme);
        return this;
    }

    /** Forward FLOPs (multiply-add = 2) for one sample of this per-sample input shape. */
    public long flops(Shape input) {
        long f = 0;
        for (long x : nodeFlops(input)) f += x;
        return f;
    }

    /** Forward FLOPs of every node (index = node id) for one sample of this per-sample input shape. */
    public long[] nodeFlops(Shape input) {
        Shape[] s = nodeShapes(input);
        long[] f = new long[nodes.size()];
        for (int i = 1; i < s.length; i++) f[i] = nodes.get(i).layer().flops(inputsOf(i, s), s[i]);
        return f;
    }

    /** Per-sample output shape of every node (index = node id) for this per-sample input shape. */
    public Shape[] nodeShapes(Shape input) {
        Shape[] s = new Shape[nodes.size()];
        s[0] = input;
        for (int i = 1; i < s.length; i++) s[i] = nodes.get(i).layer().outputShape(inputsOf(i, s));
        return s;
    }

    private Shape[] inputsOf(int node, Shape[] shapes) {
        int[] ids = nodes.get(node).inputs();
        Shape[] in = new Shape[ids.length];
        for (int k = 0; k < in.length; k++) in[k] = shapes[ids[k]];
        return in;
    }

    /** Free-form key/value metadata, saved with the model: the {@link ModelCard#extra()} of {@link #card()}. */
    public Map<String, String> metadata() { return card.extra(); }

    /** What this model is for and how it was made (name, input, noise, training, metrics), saved with it. */
    public ModelCard card() { return card; }

    /** Loads a Hush model file ({@code .hush}); any bad content is a {@link io.hush.engine.io.ModelFormatException}. */
    public static Model load(java.nio.file.Path path) throws java.io.IOException {
        return io.hush.engine.io.HushFormat.load(path);
    }

    /** Loads a Hush model from a stream (read to its end). */
    public static Model load(java.io.InputStream in) throws java.io.IOException {
        return io.hush.engine.io.HushFormat.read(in);
    }

    /** Saves this model (float32, exact) atomically: see {@link io.hush.engine.io.HushFormat}. */
    public void save(java.nio.file.Path path) throws java.io.IOException {
        io.hush.engine.io.HushFormat.save(this, path);
    }

    /** Saves with trainable parameters stored as float16/bfloat16 (about half the size), or float32. */
    public void save(java.nio.file.Path path, io.hush.engine.io.Storage storage) throws java.io.IOException {
        io.hush.engine.io.HushFormat.save(this, path, storage);
    }

    /** Uses a private pool of {@code n} threads from now on (1 = single-threaded, deterministic). */
    public Model threads(int n) {
        if (ownPool) pool.close();
        pool = new ThreadPool(n);
        ownPool = true;
        exec.pool = pool;
        return this;
    }

    public int threads() { return pool.threads(); }

    /**
     * Inference: {@code x} is {@code [N,H,W,C]}; returns the output, valid until the next call. The input must live
     * in a shared or global arena (the model's worker threads read it), not a confined one.
     */
    public Tensor forward(Tensor x) {
        return forward(x, false);
    }

    /**
     * Forward pass. In training mode BatchNorm uses batch statistics, Dropout drops, and every activation is
     * kept for {@link #backward}.
     */
    public Tensor forward(Tensor x, boolean training) {
        Shape in = x.shape();
        Shape per = inputShape();
        if (in.rank() != per.rank() + 1) {
            throw new ShapeException("model input must be " + per.withBatch(1).toString().replace("[1,", "[N,")
                    + ", got " + in);
        }
        if (in.dim(-1) != per.dim(-1)) {
            throw new ShapeException("model input has " + in.dim(-1) + " channels, the model takes " + per.dim(-1)
                    + " (input " + in + ")");
        }
        Plan p = plan(in, training);
        p.bindInput(nodes, x);
        lastInput = x;
        exec.training = training;
        long[] prof = profileNanos;
        for (int i = 1; i < nodes.size(); i++) {
            exec.state = p.state[i];
            exec.scratch = p.scratch;
            long t0 = prof == null ? 0 : System.nanoTime();
            nodes.get(i).layer().forward(p.ins[i], p.act[i], exec);
            if (prof != null) prof[i] += System.nanoTime() - t0;
        }
        return p.act[nodes.size() - 1];
    }

    /**
     * Backward pass after a training-mode {@link #forward}: {@code gradOut} is dL/d(output) with the output's
     * shape. Writes every parameter's {@link Param#grad}.
     */
    public void backward(Tensor gradOut) {
        backward(gradOut, -1, null);
    }

    /**
     * Backward pass that also adds {@code extraGrad} (the batched shape of node {@code node}) to dL/d(node output)
     * before the sweep goes through that node: how a loss on an intermediate activation (e.g. activity
     * regularisation of a latent code, see {@link #activation}) reaches the weights below it. Node -1 adds nothing.
     */
    public void backward(Tensor gradOut, int node, Tensor extraGrad) {
        Plan p = plan;
        if (p == null || !p.training || lastInput == null) {
            throw new IllegalStateException("backward needs a training-mode forward pass first");
        }
        int last = nodes.size() - 1;
        if (!gradOut.shape().equals(p.shapes[last])) {
            throw new ShapeException("gradient of the output must be " + p.shapes[last] + ", got " + gradOut.shape());
        }
        if (node != -1) {
            if (node < 1 || node > last) throw new IllegalArgumentException("no node " + node + " to add a gradient to (nodes 1.." + last + ")");
            if (!extraGrad.shape().equals(p.shapes[node])) {
                throw new ShapeException("extra gradient of node " + node + " must be " + p.shapes[node] + ", got " + extraGrad.shape());
            }
        }
        p.grad[last].copyFrom(gradOut);
        exec.training = true;
        for (int i = last; i >= 1; i--) {
            if (p.edgeGrad[i] != null) { // fan-out: sum what every consumer wrote
                Tensor g = p.grad[i];
                g.copyFrom(p.edgeGrad[i][0]);
                for (int e = 1; e < p.edgeGrad[i].length; e++) Elementwise.addInPlace(g, p.edgeGrad[i][e]);
            }
            if (i == node) Elementwise.addInPlace(p.grad[i], extraGrad); // every consumer has run: grad[i] is complete
            exec.state = p.state[i];
            exec.scratch = p.scratch;
            nodes.get(i).layer().backward(p.ins[i], p.act[i], p.grad[i], p.gradIns[i], exec);
        }
    }

    /** Output of node {@code node} (batched) in the last training-mode forward pass; valid until the next call. */
    public Tensor activation(int node) {
        if (plan == null || !plan.training) throw new IllegalStateException("activation(node) needs a training-mode forward pass first");
        if (node < 0 || node >= nodes.size()) throw new IllegalArgumentException("no node " + node + " (nodes 0.." + (nodes.size() - 1) + ")");
        return plan.act[node];
    }

    /**
     * Starts (or with {@code false} stops) summing the wall time of every node's forward pass; {@link #profile()}
     * reads the sums. Costs two {@code nanoTime} calls per node while on.
     */
    public Model profiling(boolean on) {
        profileNanos = on ? new long[nodes.size()] : null;
        return this;
    }

    /** Forward nanoseconds per node summed since {@link #profiling profiling(true)} (index = node id), or null. */
    public long[] profile() { return profileNanos == null ? null : profileNanos.clone(); }

    /** The pool this model runs on (the trainer runs its loss and optimiser loops on it too). */
    public ThreadPool pool() { return pool; }

    /** Step number that stochastic layers (Dropout) derive their masks from; the trainer sets it every step. */
    public void step(long step) { exec.step = step; }

    private Plan plan(Shape batched, boolean training) {
        if (plan != null && plan.inputShape.equals(batched) && plan.training == training) return plan;
        if (plan != null) plan.close();
        plan = null;
        plan = new Plan(nodes, batched, training, pool.threads());
        return plan;
    }

    /** Convenience: runs {@code n} samples given as a flat NHWC array and returns a flat copy of the output. */
    public float[] predict(float[] x, int n) {
        Shape s = inputShape();
        int[] d = s.dims();
        if (x.length % n != 0) throw new ShapeException(x.length + " values is not " + n + " samples");
        long perSample = x.length / n;
        if (s.rank() == 3 && perSample != s.size()) {
            // any spatial size with the same channel count and a square image
            int c = d[2];
            int hw = (int) Math.round(Math.sqrt(perSample / (double) c));
            if ((long) hw * hw * c != perSample) throw new ShapeException(perSample + " values per sample does not fit " + s);
            d[0] = hw;
            d[1] = hw;
        }
        try (Arena a = Arena.ofShared()) { // shared: worker threads read the input
            Tensor t = Tensor.of(a, x, Shape.of(d).withBatch(n).dims());
            return forward(t).toArray();
        }
    }

    /** Workspace bytes currently planned. */
    public long workspaceBytes() { return plan == null ? 0 : plan.bytes(); }

    @Override
    public void close() {
        if (plan != null) plan.close();
        plan = null;
        if (ownPool) pool.close();
        arena.close();
    }

    /**
     * Builds a model node by node. {@link #add(Layer)} applies a layer to the current node; {@link #add(Layer, int...)}
     * applies it to named earlier nodes (skip connections); {@link #current()} is the id of the latest node.
     * Shapes are inferred as layers are added, and a mismatch fails right there, naming the layer and shapes.
     */
    public static final class Builder {
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Integer> typeCounts = new HashMap<>();
        private long seed = 42;
        private io.hush.engine.layers.Init init = io.hush.engine.layers.Init.GLOROT_UNIFORM;

        Builder(Shape input) {
            nodes.add(new Node(0, null, new int[0], input));
        }

        /** Id of the most recently added node (0 = the input). */
        public int current() { return nodes.size() - 1; }

        public Shape shape(int node) { return nodes.get(node).shape(); }

        /** Weight initialisation scheme (default {@link io.hush.engine.layers.Init#GLOROT_UNIFORM}, as Keras). */
        public Builder init(io.hush.engine.layers.Init scheme) {
            this.init = java.util.Objects.requireNonNull(scheme, "init");
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public Builder add(Layer layer) {
            return add(layer, current());
        }

        public Builder add(Layer layer, int... inputs) {
            if (layer == null) throw new IllegalArgumentException("layer is null");
            for (Node n : nodes) {
                if (n.layer() == layer) throw new IllegalArgumentException(layer + " is already in this model");
            }
            if (inputs.length != layer.arity()) {
                throw new ShapeException(layer.type() + " '" + layer.name() + "' takes " + layer.arity()
                        + " input(s), given " + inputs.length);
            }
            Shape[] in = new Shape[inputs.length];
            for (int k = 0; k < inputs.length; k++) {
                if (inputs[k] < 0 || inputs[k] >= nodes.size()) {
                    throw new IllegalArgumentException(layer + ": no node " + inputs[k]);
                }
                in[k] = nodes.get(inputs[k]).shape();
            }
            if (layerNameIsDefault(layer)) {
                int c = typeCounts.merge(layer.type(), 1, Integer::sum);
                layer.name(layer.type().toLowerCase() + "_" + c);
            }
            Shape out = layer.outputShape(in);
            nodes.add(new Node(nodes.size(), layer, inputs.clone(), out));
            return this;
        }

        private static boolean layerNameIsDefault(Layer l) {
            return l.name().equals(l.type());
        }

        /** Creates parameters, initialises them from the seed and returns the model. */
        public Model build() {
            Arena arena = Arena.ofShared();
            SplittableRandom rng = new SplittableRandom(seed);
            for (Node n : nodes) {
                if (n.layer() == null) continue;
                Shape[] in = new Shape[n.inputs().length];
                for (int k = 0; k < in.length; k++) in[k] = nodes.get(n.inputs()[k]).shape();
                n.layer().createParams(in, arena);
                n.layer().initialize(rng, init);
            }
            return new Model(nodes, arena);
        }
    }
}
