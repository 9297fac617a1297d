package io.hush.engine.io;

/**
 * How a model file stores trainable parameters. Compute is always float32: half-precision storage only makes files
 * smaller (about half the size) at the cost of rounding each weight once when saving. Non-trainable parameters
 * (BatchNorm running statistics) and any tensor whose values do not fit the smaller type (overflow to infinity)
 * stay float32.
 */
public enum Storage {
    /** Exact: loading gives back every bit. */
    FLOAT32,
    /** IEEE binary16: 11 significant bits (relative error at most 2^-11), range about 6e-8 .. 65504. */
    FLOAT16,
    /** bfloat16: 8 significant bits (relative error at most 2^-8), the full float32 range. */
    BFLOAT16
}
