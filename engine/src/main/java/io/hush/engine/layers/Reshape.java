package io.hush.engine.layers;

import io.hush.engine.Shape;

import java.util.Arrays;

/**
 * Reshapes each sample to {@code target} (per-sample, no batch dimension) keeping memory (NHWC) order, like Keras
 * {@code Reshape}; one entry may be -1 and is then inferred. Copies (each graph node has its own buffer).
 */
public final class Reshape extends Relayout {
    private final int[] target;

    public Reshape(int... target) {
        if (target.length == 0) throw new IllegalArgumentException("Reshape target shape is empty");
        int inferred = 0;
        for (int d : target) {
            if (d == -1) inferred++;
            else if (d <= 0) {
                throw new IllegalArgumentException("Reshape target " + Arrays.toString(target)
                        + " has a dimension <= 0 (only one -1 allowed, to infer)");
            }
        }
        if (inferred > 1) throw new IllegalArgumentException("Reshape target " + Arrays.toString(target) + " has more than one -1");
        this.target = target.clone();
    }

    /** The target per-sample shape as given (may contain one -1). */
    public int[] target() { return target.clone(); }

    @Override public String type() { return "Reshape"; }

    @Override
    public Shape outputShape(Shape... in) {
        if (in.length != 1) throw shapeError("expects 1 input, got " + in.length);
        long size = in[0].size();
        long known = 1;
        int free = -1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) free = i;
            else known *= target[i];
        }
        int[] d = target.clone();
        if (free >= 0) {
            if (size % known != 0) {
                throw shapeError("cannot reshape " + in[0] + " (" + size + " values) to " + Arrays.toString(target));
            }
            d[free] = Math.toIntExact(size / known);
        } else if (known != size) {
            throw shapeError("cannot reshape " + in[0] + " (" + size + " values) to " + Arrays.toString(target)
                    + " (" + known + " values)");
        }
        return Shape.of(d);
    }
}
