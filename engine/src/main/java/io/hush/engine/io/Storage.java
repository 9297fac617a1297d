package io.hush.engine.io;

/**
 * How a model file stores trainable parameters. Half-precision and 4-bit storage only make files smaller: the weights
 * are read back as float32 (rounded once when saving). {@link #INT8} also changes the loaded model: its kernels stay
 * int8 in memory and are computed from as such. Non-trainable parameters (BatchNorm running statistics) and any tensor
 * whose values do not fit the smaller type (overflow to infinity) stay float32.
 */
public enum Storage {
    /** Exact: loading gives back every bit. */
    FLOAT32,
    /** IEEE binary16: 11 significant bits (relative error at most 2^-11), range about 6e-8 .. 65504. */
    FLOAT16,
    /** bfloat16: 8 significant bits (relative error at most 2^-8), the full float32 range. */
    BFLOAT16,
    /**
     * 4-bit codes, 16 evenly spaced levels between each block's minimum and maximum (blocks of 256 weights, float16
     * scale and offset per block): about 4.1 bits per weight, 7.8x smaller than float32. Only for trainable tensors
     * of at least {@link #Q4_MIN_ELEMENTS} values (big Dense matrices); smaller ones are stored as float16. Lossy: a
     * weight moves by up to 1/30 of its block's range, so check the model's metrics after converting.
     */
    Q4,
    /**
     * Symmetric int8 with one float32 scale per output channel for every trainable tensor of rank 2 or more (the
     * kernels of Dense, Conv2D, Conv2DTranspose): a quarter of the float32 size; biases and BatchNorm parameters stay
     * float32. Not only storage: such kernels load as int8 and the layers compute from the codes, so the model's
     * weights also take a quarter of the memory. Lossy (a weight moves by up to half its channel's scale,
     * max|w| / 254) and inference only; check the model's metrics after converting.
     */
    INT8;

    /**
     * Tensors smaller than this stay float16 under {@link #Q4}. Convolution kernels are small and sensitive: on the seed
     * network, 4-bit 3x3 kernels cost 0.19 dB PSNR while its 9.8M-weight Dense matrix in 4 bits costs under 0.01 dB.
     */
    public static final int Q4_MIN_ELEMENTS = 1 << 16;
}
