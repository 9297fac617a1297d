package io.hush.engine.layers;

/**
 * A layer with a weight kernel whose last dimension is the output channel (Dense {@code [In,Out]}, Conv2D and
 * Conv2DTranspose {@code [KH,KW,Cin,Cout]}), which can keep that kernel as int8 ({@link KernelStorage#INT8}).
 */
public interface KernelLayer {
    /** The kernel parameter (null before the model is built). */
    Param kernel();

    /** How the kernel is kept in memory. */
    KernelStorage kernelStorage();

    /**
     * Keeps the kernel as {@code s} from now on; only before the model is built (afterwards an
     * IllegalStateException). The model decoder sets INT8 for kernels stored as {@code INT8_CHANNEL}.
     */
    Layer kernelStorage(KernelStorage s);
}
