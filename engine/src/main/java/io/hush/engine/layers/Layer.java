package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.ShapeException;
import io.hush.engine.Tensor;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A layer: shape rule, parameters, forward and backward. Layers hold no per-batch state of their own; every
 * buffer they touch comes in through the call (tensors are batched NHWC, {@code [N,H,W,C]} or {@code [N,F]}), so
 * one layer serves any batch size and any image size its shape rule accepts.
 *
 * <p>Backward contract: given the inputs, the output the forward pass produced and dL/d(output), a layer
 * <em>writes</em> (never accumulates into) dL/d(input) for every non-null entry of {@code gradIn}, and writes the
 * gradients of its parameters into {@link Param#grad}. A null {@code gradIn[i]} means that input's gradient is
 * not needed (the model's input), and the layer should skip that work.
 *
 * <p>The set of layers is sealed, so every switch over layer types (the {@code .hush} codec, the ONNX exporter,
 * {@link io.hush.denoise.ReceptiveField}) is checked for exhaustiveness by the compiler: adding a layer here makes
 * each of them fail to compile until it handles the new type. Layers defined outside the engine (tests, user code)
 * extend {@link CustomLayer}, which every switch handles explicitly (such layers run and train, but cannot be saved
 * to {@code .hush} or exported to ONNX).
 */
public abstract sealed class Layer permits BatchNorm2D, Border2D, Concatenate, CustomLayer, Dense, Dropout,
        ElementwiseBinary, GlobalAveragePool2D, PointwiseLayer, Relayout, Scale, Softmax, UpSampling2D, WindowLayer {
    private String name;

    /** Type name used in messages, tables and model files, e.g. "Conv2D". */
    public abstract String type();

    public String name() { return name == null ? type() : name; }

    public Layer name(String n) {
        this.name = n;
        return this;
    }

    /** Number of inputs (Add takes 2). */
    public int arity() { return 1; }

    /**
     * Per-sample output shape for per-sample input shapes (no batch dimension), or a {@link ShapeException}
     * naming this layer and the shapes. Called at build time and whenever a new input size is planned.
     */
    public abstract Shape outputShape(Shape... in);

    /** Allocates parameters for these (per-sample) input shapes; called once when the model is built. */
    public void createParams(Shape[] in, Arena arena) {}

    public List<Param> params() { return List.of(); }

    /** Initialises parameters with the layer's default (Keras: Glorot-uniform kernels, zero biases). */
    public void initialize(SplittableRandom rng) {}

    /**
     * Initialises parameters with this scheme; what the builder calls. Layers without kernel/bias pairs (and layers
     * written before schemes existed) keep their own {@link #initialize(SplittableRandom)}.
     */
    public void initialize(SplittableRandom rng, Init init) { initialize(rng); }

    /** Floats this layer keeps from forward to backward for these batched shapes (training mode). */
    public long stateFloats(Shape[] in, Shape out, int threads) { return 0; }

    /** Transient floats this layer needs during forward or backward for these batched shapes. */
    public long scratchFloats(Shape[] in, Shape out, int threads) { return 0; }

    /** Floating-point operations of one forward pass for one sample (multiply-add = 2). */
    public long flops(Shape[] in, Shape out) { return 0; }

    public abstract void forward(Tensor[] in, Tensor out, Exec ex);

    public abstract void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex);

    /** The shape rule of a one-input layer whose output has its input's shape (activations, Dropout, Scale, ...). */
    protected final Shape identityShape(Shape[] in) {
        if (in.length != 1) throw shapeError("expects 1 input, got " + in.length);
        return in[0];
    }

    /** A ShapeException "Type 'name': what" for shape rules. */
    protected ShapeException shapeError(String what) {
        return new ShapeException(type() + " '" + name() + "': " + what);
    }

    /** Checks arity and that every input has the given rank (per-sample). */
    protected void requireInputs(Shape[] in, int rank) {
        if (in.length != arity()) throw shapeError("expects " + arity() + " input(s), got " + in.length);
        for (Shape s : in) {
            if (s.rank() != rank) {
                throw shapeError("expects a rank-" + rank + " input " + (rank == 3 ? "[H,W,C]" : rank == 1 ? "[F]" : "")
                        + ", got " + s);
            }
        }
    }

    @Override public String toString() { return type() + " '" + name() + "'"; }
}
