package io.hush.engine.layers;

/**
 * The extension point of the sealed {@link Layer} set: a layer defined outside the engine (a test's probe layer, a
 * user's own operation) extends this class. Such a layer runs and trains like any other, but the engine's formats
 * know nothing of it: saving the model to {@code .hush} or exporting it to ONNX refuses it by name and class, and
 * {@link io.hush.denoise.ReceptiveField} reports its receptive field as unknown.
 */
public non-sealed abstract class CustomLayer extends Layer {
    /** For subclasses. */
    protected CustomLayer() {}
}
