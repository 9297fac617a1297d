package io.hush.engine.kernels;

/**
 * Which implementation of the kernels runs in this JVM: the SIMD kernels (the default) or their plain scalar references,
 * chosen once at start-up with {@code -Dhush.kernels=simd|scalar} (read once into a static final, so the JIT folds every
 * check away). The scalar kernels are the specification the SIMD ones are tested against; running a whole model on them
 * tells whether a wrong result comes from a SIMD path or from elsewhere, on any machine.
 *
 * <p>Each op family has one place that picks its implementation and says why:
 * <ul>
 *   <li>convolution: {@link ConvKernels} (forward: scalar, few output channels, Winograd F(4x4,3x3), Winograd
 *       F(2x2,3x3) or direct; backward-data: scalar, Winograd F(2x2,3x3) or direct; weight and bias gradients);</li>
 *   <li>dense / GEMM: {@link Gemm#path} (scalar, few rows over row-major or column-major B, or packed blocking), which
 *       {@link Int8Kernels#gemm} shares;</li>
 *   <li>families with a single SIMD path (pooling and upsampling, activations, softmax, batch normalisation,
 *       elementwise arithmetic, int8 dequantisation): the public SIMD entry point itself runs its {@code ...Scalar}
 *       twin when {@link #SCALAR_ONLY} is set. The layout copies ({@link LayoutKernels}) have no SIMD path.</li>
 * </ul>
 */
public enum KernelSet {
    /** Vector API kernels, each family's fastest path for the shape at hand. */
    SIMD,
    /** The plain scalar reference kernels (single-threaded where the reference is: convolutions). */
    SCALAR;

    /** The set this JVM runs, from {@code -Dhush.kernels} (default {@link #SIMD}). */
    public static final KernelSet ACTIVE = parse(System.getProperty("hush.kernels"));
    /** {@code ACTIVE == SCALAR}, as a constant the kernels test. */
    static final boolean SCALAR_ONLY = ACTIVE == SCALAR;

    /** The set named by a {@code hush.kernels} value ({@code null} or blank: SIMD), or a message naming the bad value. */
    static KernelSet parse(String value) {
        if (value == null || value.isBlank()) return SIMD;
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "simd" -> SIMD;
            case "scalar" -> SCALAR;
            default -> throw new IllegalArgumentException("-Dhush.kernels=" + value + ": expected simd or scalar");
        };
    }
}
