package io.hush.engine;

import io.hush.engine.graph.Node;
import io.hush.engine.graph.Plan;
import io.hush.engine.kernels.Elementwise;
import io.hush.engine.layers.Exec;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.Param;

import java.lang.foreign.Arena;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

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
 *     Tensor y = m.forward(x);              // x: [N,28,28,1]; y is the caller's
 *     m.forward(x, out);                    // or into a tensor of the caller's: allocates nothing
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * <b>Inference is thread-safe.</b> {@link #forward(Tensor)}, {@link #forward(Tensor, Tensor)} and
 * {@link #predict(float[], int)} may be called from any number of threads at once on one shared model, with any
 * mix of input sizes and batch sizes, and each call returns exactly the bits a serial call would: every inference
 * kernel computes each output element on one thread in a fixed order, so the result does not depend on how its
 * loops are split, nor on the JIT tier (sigmoid/tanh are {@link io.hush.engine.kernels.FastMath}'s float forms).
 * <ul>
 *   <li><b>Memory.</b> Each call in flight borrows an inference {@link Plan} (all its workspace) for its input
 *   shape from a pool and returns it afterwards; the steady state allocates no workspace. At most
 *   {@link #maxIdlePlans(int) maxIdlePlans} (default {@value #DEFAULT_IDLE_PLANS}) idle plans are kept over all
 *   shapes; beyond that the least recently used shapes' plans are freed. So memory is one plan per concurrent
 *   call plus the idle bound.</li>
 *   <li><b>Results.</b> {@link #forward(Tensor)} returns a new tensor the caller owns (in an automatic arena,
 *   freed by the garbage collector); no other call ever writes it. {@link #forward(Tensor, Tensor)} writes into a
 *   caller-provided tensor instead, for hot loops. {@link #predict} returns a new array.</li>
 *   <li><b>Cores.</b> A call runs its layers' loops on the model's pool when the pool is free; a call that finds
 *   the pool busy with another call's loop runs that loop on its own thread instead of waiting
 *   ({@link ThreadPool#inlineWhenBusy()}), so concurrent callers keep every core busy without queueing.</li>
 *   <li>Inputs (and a caller's output tensor) must be readable by the pool's worker threads: shared, global or
 *   automatic arenas, not confined ones.</li>
 * </ul>
 * <b>Training is one caller at a time.</b> A training-mode {@link #forward(Tensor, boolean) forward(x, true)},
 * {@link #backward} or {@link #activation} that overlaps another training-mode call, or any inference call, on
 * the same model throws {@link IllegalStateException} naming the conflict (and so does inference that overlaps a
 * training-mode call): inference is refused during a training pass, not made to wait, because the pass changes
 * the BatchNorm statistics inference reads. {@code backward} and {@code activation} must also run on the thread
 * that ran the training-mode forward pass they follow, so another thread's pass cannot slip in between. Between
 * training calls the optimiser writes the weights directly, which the model cannot see: inference from other
 * threads while a model trains is not supported (it may see half-updated weights).
 * <p>Configuration: {@link #threads(int)} and {@link #close()} refuse with an IllegalStateException while calls
 * are in flight; {@link #maxIdlePlans(int)} and {@link #profiling} may be called at any time; {@link #step} and
 * {@link #initialize} belong to the training owner and must not race with calls.
 */
public final class Model implements AutoCloseable {
    /** Idle inference plans a model keeps by default (over all input shapes). */
    public static final int DEFAULT_IDLE_PLANS = 4;

    /** {@link #calls} while a training-mode call runs. */
    private static final int TRAINING = -1;
    /** {@link #calls} while the model is being reconfigured or after it is closed. */
    private static final int EXCLUSIVE = -2;

    private final List<Node> nodes;
    private final Arena arena;
    private final ModelCard card = new ModelCard();
    private volatile ThreadPool pool;
    private boolean ownPool;

    /** Inference calls in flight (>= 0), or {@link #TRAINING}, or {@link #EXCLUSIVE}. */
    private final AtomicInteger calls = new AtomicInteger();
    /** The thread running the current training-mode call (for messages), or null. */
    private volatile Thread trainingCaller;
    private volatile boolean closed;

    // Training: one plan, one caller at a time (guarded by calls == TRAINING).
    private Plan trainPlan;
    private Thread trainThread;   // ran the last complete training-mode forward
    private boolean trainReady;   // trainPlan holds a complete training-mode forward pass
    private volatile long step;

    // Inference: idle plans per batched input shape, least recently used shape first.
    private final LinkedHashMap<Shape, ArrayDeque<Plan>> idle = new LinkedHashMap<>(16, 0.75f, true);
    private int idleCount;
    private int maxIdle = DEFAULT_IDLE_PLANS;
    private final AtomicLong planBytes = new AtomicLong();
    private final AtomicLong plansCreated = new AtomicLong();

    private volatile AtomicLongArray profileNanos; // per-node forward time, summed; null when not profiling

    private Model(List<Node> nodes, Arena arena) {
        this.nodes = List.copyOf(nodes);
        this.arena = arena;
        this.pool = ThreadPool.common();
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

    /**
     * Loads a model file: a Hush model ({@code .hush}), or any format a registered
     * {@link io.hush.engine.io.ModelImporter} reads — ONNX built in, Keras {@code .keras}/{@code .h5} with the hush-keras
     * module on the class path. The kind is read from the file's first bytes (then its extension). Any bad content is
     * a {@link io.hush.engine.io.ModelFormatException} naming the file.
     */
    public static Model load(java.nio.file.Path path) throws java.io.IOException {
        if (!java.nio.file.Files.isRegularFile(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null,
                    java.nio.file.Files.isDirectory(path) ? "is a folder, not a model file" : "no such model file");
        }
        byte[] head;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(path)) {
            head = in.readNBytes(8);
        }
        String name = path.getFileName().toString();
        if (io.hush.engine.io.HushFormat.isHush(head, name)) return io.hush.engine.io.HushFormat.load(path);
        return io.hush.engine.io.ModelImporters.forContent(head, name)
                .orElseThrow(() -> io.hush.engine.io.ModelImporters.unreadable(path.toString()))
                .load(path);
    }

    /**
     * Loads a model from the complete bytes of a model file of any kind {@link #load(java.nio.file.Path)} reads;
     * {@code source} names it in messages.
     */
    public static Model load(byte[] bytes, String source) throws java.io.IOException {
        byte[] head = java.util.Arrays.copyOf(bytes, Math.min(8, bytes.length));
        if (io.hush.engine.io.HushFormat.isHush(head, source)) return io.hush.engine.io.HushFormat.fromBytes(bytes, source);
        return io.hush.engine.io.ModelImporters.forContent(head, source)
                .orElseThrow(() -> io.hush.engine.io.ModelImporters.unreadable(source))
                .load(bytes, source);
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

    /**
     * Uses a private pool of {@code n} threads from now on (1 = single-threaded). Every workspace plan is dropped
     * (they are sized for the thread count). Refused with an IllegalStateException while calls are in flight.
     */
    public Model threads(int n) {
        ThreadPool next = new ThreadPool(n);
        enterExclusive("threads(" + n + ")", next);
        try {
            dropPlans();
            if (ownPool) pool.close();
            pool = next;
            ownPool = true;
        } finally {
            calls.set(0);
        }
        return this;
    }

    public int threads() { return pool.threads(); }

    /**
     * Keeps at most {@code max} idle inference plans (over all input shapes; default {@value #DEFAULT_IDLE_PLANS}),
     * freeing the least recently used shapes' plans beyond that. 0 frees every plan after its call (each call
     * then plans anew). Plans in use by calls in flight are not counted.
     */
    public Model maxIdlePlans(int max) {
        if (max < 0) throw new IllegalArgumentException("maxIdlePlans must be >= 0, got " + max);
        List<Plan> evicted;
        synchronized (idle) {
            maxIdle = max;
            evicted = evictOverBound();
        }
        closeAll(evicted);
        return this;
    }

    /**
     * Inference: {@code x} is {@code [N,H,W,C]} (any size the layers accept); returns a new output tensor that the
     * caller owns (in an automatic arena: the garbage collector frees it). Thread-safe, see the class comment. The
     * input must live in a shared, global or automatic arena (the model's worker threads read it).
     */
    public Tensor forward(Tensor x) {
        checkInput(x.shape());
        return inferBorrowed("forward(x)", x, null);
    }

    /**
     * Inference into the caller's tensor {@code out}, which must have the batched output shape for {@code x}
     * ({@link #outputShape(Shape)} with the batch size) and must not overlap {@code x}; allocates nothing once a
     * plan for this input shape exists. Returns {@code out}. Thread-safe, see the class comment.
     */
    public Tensor forward(Tensor x, Tensor out) {
        checkInput(x.shape());
        if (x.data().asOverlappingSlice(out.data()).isPresent()) {
            throw new IllegalArgumentException("output tensor " + out.shape() + " overlaps the input " + x.shape()
                    + ": the last layer would overwrite what it reads");
        }
        return inferBorrowed("forward(x, out)", x, out);
    }

    /**
     * One inference call on a borrowed plan: into {@code out}, or into a new tensor in an automatic arena when
     * {@code out} is null. The caller has checked the input.
     */
    private Tensor inferBorrowed(String call, Tensor x, Tensor out) {
        enterInference(call);
        try {
            Plan p = borrow(x.shape());
            try {
                Shape want = p.shapes[nodes.size() - 1];
                if (out == null) {
                    out = Tensor.allocate(Arena.ofAuto(), want);
                } else if (!out.shape().equals(want)) {
                    throw new ShapeException("output tensor must be " + want + " for input " + x.shape() + ", got " + out.shape());
                }
                infer(p, x, out);
                return out;
            } finally {
                giveBack(p);
            }
        } finally {
            calls.decrementAndGet();
        }
    }

    /**
     * Forward pass. Inference ({@code training = false}) is {@link #forward(Tensor)}: a new tensor the caller
     * owns. In training mode BatchNorm uses batch statistics, Dropout drops, and every activation is kept for
     * {@link #backward}; the returned tensor is the model's and stays valid until the next training-mode call.
     * Training-mode calls are one at a time (see the class comment).
     */
    public Tensor forward(Tensor x, boolean training) {
        if (!training) return forward(x);
        checkInput(x.shape());
        enterTraining("forward(x, true)");
        try {
            trainReady = false;
            Plan p = trainPlan;
            if (p == null || !p.inputShape.equals(x.shape())) {
                if (p != null) closePlan(p);
                trainPlan = null;
                p = trainPlan = newPlan(x.shape(), new Exec(pool, true));
            }
            p.exec.step = step;
            p.bindInput(nodes, x);
            runLayers(p);
            trainThread = Thread.currentThread();
            trainReady = true;
            return p.act[nodes.size() - 1];
        } finally {
            exitTraining();
        }
    }

    /**
     * Backward pass after a training-mode {@link #forward}: {@code gradOut} is dL/d(output) with the output's
     * shape. Writes every parameter's {@link Param#grad}. Runs on the thread of that forward pass.
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
        enterTraining("backward");
        try {
            Plan p = trainedPlan("backward");
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
            Exec exec = p.exec;
            exec.step = step;
            p.grad[last].copyFrom(gradOut);
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
        } finally {
            exitTraining();
        }
    }

    /**
     * Output of node {@code node} (batched) in the last training-mode forward pass; valid until the next
     * training-mode call. Like {@link #backward}, only on the thread that ran that pass.
     */
    public Tensor activation(int node) {
        enterTraining("activation(" + node + ")");
        try {
            Plan p = trainedPlan("activation(node)");
            if (node < 0 || node >= nodes.size()) throw new IllegalArgumentException("no node " + node + " (nodes 0.." + (nodes.size() - 1) + ")");
            return p.act[node];
        } finally {
            exitTraining();
        }
    }

    /**
     * Starts (or with {@code false} stops) summing the wall time of every node's forward pass; {@link #profile()}
     * reads the sums (over all threads' calls). Costs two {@code nanoTime} calls per node while on.
     */
    public Model profiling(boolean on) {
        profileNanos = on ? new AtomicLongArray(nodes.size()) : null;
        return this;
    }

    /** Forward nanoseconds per node summed since {@link #profiling profiling(true)} (index = node id), or null. */
    public long[] profile() {
        AtomicLongArray p = profileNanos;
        if (p == null) return null;
        long[] r = new long[p.length()];
        for (int i = 0; i < r.length; i++) r[i] = p.get(i);
        return r;
    }

    /** The pool this model runs on (the trainer runs its loss and optimiser loops on it too). */
    public ThreadPool pool() { return pool; }

    /** Step number that stochastic layers (Dropout) derive their masks from; the trainer sets it every step. */
    public void step(long step) { this.step = step; }

    /**
     * Convenience: runs {@code n} samples of the model's input shape given as a flat NHWC array and returns a flat
     * copy of the output. Images of another size: {@link #predict(float[], int, int, int)}.
     */
    public float[] predict(float[] x, int n) {
        if (n < 1) throw new IllegalArgumentException("predict needs at least one sample, got n = " + n);
        Shape batched = inputShape().withBatch(n);
        if (batched.size() != x.length) {
            throw new ShapeException(x.length + " values do not fit " + batched + (inputShape().rank() == 3
                    ? " (images of another size: predict(x, n, height, width))" : ""));
        }
        return predict(x, batched);
    }

    /**
     * Convenience: runs {@code n} images {@code [n, height, width, C]} (C the model's channels) given as a flat NHWC
     * array and returns a flat copy of the output; for models that take other image sizes.
     */
    public float[] predict(float[] x, int n, int height, int width) {
        if (n < 1) throw new IllegalArgumentException("predict needs at least one sample, got n = " + n);
        Shape s = inputShape();
        if (s.rank() != 3) throw new ShapeException("predict with a height and width needs an image model, input is " + s);
        Shape batched = Shape.of(n, height, width, s.dim(2));
        if (batched.size() != x.length) throw new ShapeException(x.length + " values do not fit " + batched);
        return predict(x, batched);
    }

    private float[] predict(float[] x, Shape batched) {
        checkInput(batched);
        enterInference("predict");
        try {
            Plan p = borrow(batched);
            try {
                long before = p.bytes();
                Tensor in = p.inputStage(); // staged in the plan: no allocation per call
                planBytes.addAndGet(p.bytes() - before);
                in.copyFrom(x);
                if (nodes.size() == 1) return x.clone();
                infer(p, in, null);
                return p.output().toArray();
            } finally {
                giveBack(p);
            }
        } finally {
            calls.decrementAndGet();
        }
    }

    /** Workspace bytes currently planned: the training plan, idle inference plans and those of calls in flight (tests). */
    long workspaceBytes() { return planBytes.get(); }

    /** Frees every plan and the parameters. Refused with an IllegalStateException while calls are in flight. */
    @Override
    public void close() {
        if (closed) return;
        enterExclusive("close()", null);
        closed = true; // calls stays EXCLUSIVE: every later call is refused
        dropPlans();
        if (ownPool) pool.close();
        arena.close();
    }

    // ---- inference internals ----

    private void checkInput(Shape in) {
        Shape per = inputShape();
        if (in.rank() != per.rank() + 1) {
            throw new ShapeException("model input must be " + per.withBatch(1).toString().replace("[1,", "[N,")
                    + ", got " + in);
        }
        if (in.dim(-1) != per.dim(-1)) {
            throw new ShapeException("model input has " + in.dim(-1) + " channels, the model takes " + per.dim(-1)
                    + " (input " + in + ")");
        }
    }

    /** Runs an inference pass on a borrowed plan: {@code out} (or the plan's own buffer when null) gets the output. */
    private void infer(Plan p, Tensor x, Tensor out) {
        if (nodes.size() == 1) { // no layers: the output is the input
            if (out != null) out.copyFrom(x);
            return;
        }
        p.bindInput(nodes, x);
        if (out != null) p.bindOutput(out);
        try {
            runLayers(p);
        } finally {
            if (out != null) p.bindOutput(null);
            p.bindInput(nodes, null); // keep no reference to the caller's input
        }
    }

    private void runLayers(Plan p) {
        Exec exec = p.exec;
        AtomicLongArray prof = profileNanos;
        for (int i = 1; i < nodes.size(); i++) {
            exec.state = p.state[i];
            exec.scratch = p.scratch;
            long t0 = prof == null ? 0 : System.nanoTime();
            nodes.get(i).layer().forward(p.ins[i], p.act[i], exec);
            if (prof != null) prof.addAndGet(i, System.nanoTime() - t0);
        }
    }

    /** An idle plan for this batched input shape, or a new one. */
    private Plan borrow(Shape batched) {
        synchronized (idle) {
            ArrayDeque<Plan> q = idle.get(batched); // marks the shape as recently used
            if (q != null) {
                Plan p = q.pollFirst();
                if (q.isEmpty()) idle.remove(batched);
                idleCount--;
                return p;
            }
        }
        // Planning allocates the workspace: outside the lock, so other shapes' calls do not wait for it.
        return newPlan(batched, new Exec(pool.inlineWhenBusy(), false));
    }

    /** Puts a plan back into the idle pool, freeing least recently used shapes' plans beyond the bound. */
    private void giveBack(Plan p) {
        List<Plan> evicted;
        synchronized (idle) {
            idle.computeIfAbsent(p.inputShape, k -> new ArrayDeque<>(2)).addFirst(p);
            idleCount++;
            evicted = evictOverBound();
        }
        closeAll(evicted);
    }

    /** Removes idle plans beyond {@link #maxIdle}, least recently used shape first; caller holds the idle lock. */
    private List<Plan> evictOverBound() {
        List<Plan> out = List.of();
        Iterator<ArrayDeque<Plan>> it = idle.values().iterator();
        while (idleCount > maxIdle && it.hasNext()) {
            ArrayDeque<Plan> q = it.next();
            while (idleCount > maxIdle && !q.isEmpty()) {
                if (out.isEmpty()) out = new ArrayList<>();
                out.add(q.pollLast());
                idleCount--;
            }
            if (q.isEmpty()) it.remove();
        }
        return out;
    }

    private Plan newPlan(Shape batched, Exec exec) {
        Plan p = new Plan(nodes, batched, exec);
        planBytes.addAndGet(p.bytes());
        plansCreated.incrementAndGet();
        return p;
    }

    private void closePlan(Plan p) {
        planBytes.addAndGet(-p.bytes());
        p.close();
    }

    private void closeAll(List<Plan> plans) {
        for (Plan p : plans) closePlan(p);
    }

    /** Frees the training plan and every idle plan; only with no call in flight. */
    private void dropPlans() {
        List<Plan> all = new ArrayList<>();
        synchronized (idle) {
            for (ArrayDeque<Plan> q : idle.values()) all.addAll(q);
            idle.clear();
            idleCount = 0;
        }
        if (trainPlan != null) all.add(trainPlan);
        trainPlan = null;
        trainReady = false;
        closeAll(all);
    }

    // ---- diagnostics for tests (package-private) ----

    /** Idle inference plans now kept. */
    int idlePlanCount() {
        synchronized (idle) { return idleCount; }
    }

    /** Shapes with idle plans, least recently used first. */
    List<Shape> idlePlanShapes() {
        synchronized (idle) { return List.copyOf(idle.keySet()); }
    }

    /** Plans created since the model was built (inference and training). */
    long plansCreated() { return plansCreated.get(); }

    // ---- call-state guard ----

    private void enterInference(String what) {
        while (true) {
            int s = calls.get();
            if (s < 0) throw refused(what, s);
            if (calls.compareAndSet(s, s + 1)) return;
        }
    }

    private void enterTraining(String what) {
        if (!calls.compareAndSet(0, TRAINING)) throw refused(what, calls.get());
        trainingCaller = Thread.currentThread();
    }

    private void exitTraining() {
        trainingCaller = null;
        calls.set(0);
    }

    /** Takes the model for a configuration change; on refusal closes {@code discard} (a resource made for it). */
    private void enterExclusive(String what, AutoCloseable discard) {
        if (calls.compareAndSet(0, EXCLUSIVE)) return;
        IllegalStateException e = refused(what, calls.get());
        if (discard != null) {
            try {
                discard.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
        }
        throw e;
    }

    private IllegalStateException refused(String what, int state) {
        String call = "Model." + what + " on thread '" + Thread.currentThread().getName() + "'";
        if (closed) return new IllegalStateException(call + ": the model is closed");
        if (state == TRAINING) {
            Thread t = trainingCaller;
            return new IllegalStateException(call + " overlaps a training-mode call (forward(x, true), backward or "
                    + "activation) running on thread '" + (t == null ? "?" : t.getName()) + "': training-mode calls run "
                    + "one at a time and inference does not overlap them");
        }
        if (state == EXCLUSIVE) return new IllegalStateException(call + " overlaps threads(n) or close() on this model");
        if (state > 0) {
            return new IllegalStateException(call + " overlaps " + state + " inference call(s) in flight on this model: "
                    + (what.startsWith("forward(x, true)") || what.startsWith("backward") || what.startsWith("activation")
                    ? "a training-mode call would change the BatchNorm statistics they read"
                    : "wait for them to finish"));
        }
        return new IllegalStateException(call + " could not start (state " + state + "); retry");
    }

    /** The training plan of the last complete training-mode forward, checked to belong to the calling thread. */
    private Plan trainedPlan(String what) {
        if (trainPlan == null || !trainReady) {
            throw new IllegalStateException(what + " needs a training-mode forward pass first (forward(x, true))");
        }
        if (trainThread != Thread.currentThread()) {
            throw new IllegalStateException(what + " on thread '" + Thread.currentThread().getName() + "' follows a "
                    + "training-mode forward pass run on thread '" + trainThread.getName() + "': a training step "
                    + "(forward, activation, backward) runs on one thread, so another pass cannot slip in between");
        }
        return trainPlan;
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
