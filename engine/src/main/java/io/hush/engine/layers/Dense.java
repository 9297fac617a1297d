package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.FusedActivation;
import io.hush.engine.kernels.Gemm;
import io.hush.engine.kernels.Int8Kernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * Fully connected layer {@code y = f(x·W + b)} on per-sample features {@code [F]} (put a {@link Flatten} before it
 * for images). Parameters use the Keras layout: {@code "kernel"} {@code [In,Out]} and {@code "bias"} {@code [Out]};
 * Glorot-uniform kernel and zero bias at initialisation (Keras defaults). The activation is fused into the GEMM
 * epilogue and its derivative is taken from the output.
 *
 * <p>Forward is one {@link Gemm} {@code [N,In]·[In,Out]}. Backward: {@code dZ = dY * f'(y)},
 * {@code dX = dZ·Wᵀ}, {@code dW = Xᵀ·dZ}, {@code db = sum_n dZ}; every product is partitioned over its output
 * columns and db over columns too, so there is no cross-thread reduction and gradients are identical for any
 * thread count.
 */
public final class Dense extends Layer implements KernelLayer {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final int units;
    private final Activation activation;
    private final KernelBias params;

    public Dense(int units, Activation activation, boolean useBias) {
        if (units <= 0) throw new IllegalArgumentException("Dense units must be positive, got " + units);
        if (activation == null) throw new IllegalArgumentException("Dense activation is null (use Activation.LINEAR)");
        this.units = units;
        this.activation = activation;
        this.params = new KernelBias(useBias);
    }

    public Dense(int units, Activation activation) {
        this(units, activation, true);
    }

    /** Linear, with bias (Keras {@code Dense(units)}). */
    public Dense(int units) {
        this(units, Activation.LINEAR, true);
    }

    public int units() { return units; }

    public Activation activation() { return activation; }

    public boolean useBias() { return params.useBias(); }

    /** Input features this layer was built for (empty before {@link #createParams}). */
    public OptionalInt inputFeatures() {
        return kernel() == null ? OptionalInt.empty() : OptionalInt.of(kernel().value.shape().dim(0));
    }

    /** The {@code [In,Out]} kernel (null before the model is built). */
    @Override public Param kernel() { return params.kernel(); }

    @Override public KernelStorage kernelStorage() { return params.storage(); }

    /**
     * {@link KernelStorage#INT8}: the kernel stays int8 in memory ({@link Int8Kernel}, a quarter of the float32 size)
     * and the forward pass widens the codes in registers (inference only). Before the model is built.
     */
    @Override
    public Dense kernelStorage(KernelStorage s) {
        params.storage(this, s);
        return this;
    }

    /** The {@code [Out]} bias, or null without bias. */
    public Param bias() { return params.bias(); }

    @Override public String type() { return "Dense"; }

    @Override
    public Shape outputShape(Shape... in) {
        if (in.length != 1) throw shapeError("expects 1 input, got " + in.length);
        if (in[0].rank() != 1) {
            throw shapeError("expects a rank-1 input [F], got " + in[0] + (in[0].rank() == 3 ? " (add a Flatten before it)" : ""));
        }
        OptionalInt built = inputFeatures();
        if (built.isPresent() && in[0].dim(0) != built.getAsInt()) {
            throw shapeError("was built for " + built.getAsInt() + " input features, got " + in[0]);
        }
        return Shape.of(units);
    }

    @Override
    public void createParams(Shape[] in, Arena arena) {
        outputShape(in);
        params.create(arena, Shape.of(in[0].dim(0), units));
    }

    @Override
    public List<Param> params() { return params.params(); }

    @Override
    public void initialize(SplittableRandom rng) { initialize(rng, Init.GLOROT_UNIFORM); }

    /** fan_in = In, fan_out = Out. */
    @Override
    public void initialize(SplittableRandom rng, Init init) {
        params.initialize(init, kernel().value.shape().dim(0), units, rng);
    }

    @Override
    public long flops(Shape[] in, Shape out) {
        return 2L * in[0].dim(0) * units + (useBias() ? units : 0);
    }

    /** dZ buffer [N,Out] (rounded to a cache line); the GEMM packs into per-thread heap arrays. */
    @Override
    public long scratchFloats(Shape[] in, Shape out, int threads) {
        return dzFloats(out);
    }

    private static long dzFloats(Shape outBatched) {
        return (outBatched.size() + 15) / 16 * 16;
    }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        Param kernel = kernel();
        int n = in[0].shape().dim(0), f = in[0].shape().dim(1);
        if (kernel.int8 != null) {
            if (ex.training) throw Int8Kernel.notTrainable(this);
            Int8Kernel q = kernel.int8;
            Int8Kernels.gemm(ex.pool, n, units, f, in[0].data(), f, 1, q.codes(), q.scales(), out.data(), params.biasData(), activation);
            return;
        }
        Gemm.gemm(ex.pool, n, units, f, in[0].data(), f, 1, kernel.value.data(), units, 1, out.data(), params.biasData(),
                activation);
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        Param kernel = kernel(), bias = bias();
        if (kernel.int8 != null) throw Int8Kernel.notTrainable(this);
        int n = in[0].shape().dim(0), f = in[0].shape().dim(1);
        long size = out.size();
        MemorySegment dz;
        if (activation.kind() == Activation.Kind.LINEAR) {
            dz = gradOut.data();
        } else {
            dz = ex.scratch.asSlice(0, size * 4);
            FusedActivation.mulDerivFromOutput(ex.pool, activation, out.data(), gradOut.data(), dz, size);
        }
        MemorySegment dZ = dz;
        // dW[In,Out] = Xᵀ[In,N] · dZ[N,Out]: A(i,k) = X[k*f + i]
        Gemm.gemm(ex.pool, f, units, n, in[0].data(), 1, f, dZ, units, 1, kernel.grad.data(), MemorySegment.NULL, null);
        if (bias != null) {
            MemorySegment db = bias.grad.data();
            int vl = S.length();
            int blocks = (units + vl - 1) / vl;
            ex.pool.parallelFor(blocks, (lo, hi, t) -> columnSums(dZ, n, units, db, lo * vl, Math.min(units, hi * vl)));
        }
        if (gradIn[0] != null) {
            // dX[N,In] = dZ[N,Out] · Wᵀ[Out,In]: B(k,j) = W[j*units + k]
            Gemm.gemm(ex.pool, n, f, units, dZ, units, 1, kernel.value.data(), 1, units, gradIn[0].data(),
                    MemorySegment.NULL, null);
        }
    }

    /** db[j] = sum over rows of dZ[r, j] for j in [j0,j1), rows in order. */
    static void columnSums(MemorySegment dz, int rows, int cols, MemorySegment db, int j0, int j1) {
        int vl = S.length();
        int j = j0;
        for (; j + vl <= j1; j += vl) {
            FloatVector acc = FloatVector.zero(S);
            for (int r = 0; r < rows; r++) acc = acc.add(FloatVector.fromMemorySegment(S, dz, ((long) r * cols + j) * 4, LE));
            acc.intoMemorySegment(db, j * 4L, LE);
        }
        for (; j < j1; j++) {
            float acc = 0f;
            for (int r = 0; r < rows; r++) acc += dz.getAtIndex(F, (long) r * cols + j);
            db.setAtIndex(F, j, acc);
        }
    }

    @Override public String toString() {
        return super.toString() + " (" + units + ", " + activation + (useBias() ? "" : ", no bias")
                + (kernelStorage() == KernelStorage.INT8 ? ", int8 kernel" : "") + ")";
    }
}
