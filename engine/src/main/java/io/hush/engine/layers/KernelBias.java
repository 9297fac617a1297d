package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The kernel and optional bias of a {@link KernelLayer} (Dense {@code [In,Out]}, Conv2D and Conv2DTranspose
 * {@code [KH,KW,Cin,Cout]}; the bias is {@code [Out]}): how the kernel is stored, allocation, the parameter list and
 * initialisation, kept in one place. Each such layer owns one; its shape rules and compute stay in the layer.
 */
final class KernelBias {
    private final boolean useBias;
    private KernelStorage storage = KernelStorage.FLOAT32;
    private Param kernel, bias;

    KernelBias(boolean useBias) {
        this.useBias = useBias;
    }

    boolean useBias() { return useBias; }

    /** Null before the model is built. */
    Param kernel() { return kernel; }

    /** Null without bias or before the model is built. */
    Param bias() { return bias; }

    KernelStorage storage() { return storage; }

    /** Chooses the storage; only before the parameters exist (afterwards an IllegalStateException naming the layer). */
    void storage(Layer owner, KernelStorage s) {
        if (kernel != null && storage != s) {
            throw new IllegalStateException(owner + ": the kernel storage is chosen before the model is built");
        }
        storage = Objects.requireNonNull(s, "storage");
    }

    /** Allocates the kernel of this shape (int8 or float32 as chosen) and a bias of its last dimension. */
    void create(Arena arena, Shape kernelShape) {
        kernel = storage == KernelStorage.INT8 ? Param.int8("kernel", Int8Kernel.allocate(arena, kernelShape), true)
                : new Param("kernel", Tensor.allocate(arena, kernelShape), Tensor.allocate(arena, kernelShape), true, true);
        int out = kernelShape.dim(kernelShape.rank() - 1);
        bias = useBias ? new Param("bias", Tensor.allocate(arena, out), Tensor.allocate(arena, out), true, false) : null;
    }

    List<Param> params() {
        if (kernel == null) return List.of();
        return useBias ? List.of(kernel, bias) : List.of(kernel);
    }

    void initialize(Init init, double fanIn, double fanOut, SplittableRandom rng) {
        Int8Kernel.initialize(kernel, bias, init, fanIn, fanOut, rng);
    }

    /** The bias values, or NULL without bias. */
    MemorySegment biasData() { return useBias ? bias.value.data() : MemorySegment.NULL; }
}
