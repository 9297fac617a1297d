package io.hush.engine.layers;

/**
 * How a layer keeps its kernel in memory: float32 (trainable, the default) or int8 codes with one float32 scale per
 * output channel ({@link Int8Kernel}: a quarter of the memory, inference only). Chosen before the model is built
 * ({@link KernelLayer#kernelStorage(KernelStorage)}); a model file stored with {@code --storage int8} loads as
 * {@link #INT8}.
 */
public enum KernelStorage {
    /** 4 bytes per weight, trainable. */
    FLOAT32,
    /** 1 byte per weight plus a scale per output channel; the layer computes from the codes. Inference only. */
    INT8
}
