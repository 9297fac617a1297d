package io.hush.engine.onnx;

/**
 * A translated ONNX value: the Hush node that holds it, its {@link Layout}, and for features the permutation
 * {@code perm[j]} = Hush index of ONNX feature j (null = identity); {@code free} is the Dense whose output order may
 * still change, if any.
 */
record Val(int node, Layout layout, int[] perm, DenseOut free) {

    /** The same value seen in another layout (an NHWC/NCHW relabelling: no data moves). */
    Val relayout(Layout l) {
        return new Val(node, l, perm, free);
    }

    /**
     * A Dense layer whose output column order may still be chosen: a following Reshape to an NCHW image sets
     * {@code outPerm} so that Hush's memory order is the order the image needs.
     */
    static final class DenseOut {
        int[] outPerm; // onnx output column k -> Hush output index; null = identity
        boolean fixed;
    }
}
