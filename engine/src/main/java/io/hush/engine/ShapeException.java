package io.hush.engine;

/** A layer was given inputs whose shapes it cannot accept; the message names the layer and the shapes. */
public final class ShapeException extends IllegalArgumentException {
    public ShapeException(String message) {
        super(message);
    }
}
