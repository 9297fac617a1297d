package io.hush.engine.graph;

import io.hush.engine.Shape;
import io.hush.engine.layers.Layer;

/**
 * One node of a model graph: node 0 is the input ({@code layer == null}); every other node applies its layer to
 * the outputs of earlier nodes, so node order is already a topological order. {@code shape} is per-sample.
 */
public record Node(int id, Layer layer, int[] inputs, Shape shape) {
    public boolean isInput() { return layer == null; }
}
