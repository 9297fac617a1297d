package io.hush.engine.onnx;

import io.hush.engine.Shape;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.Reshape;
import io.hush.engine.onnx.proto.Onnx.NodeProto;
import io.hush.engine.onnx.proto.Onnx.TensorProto;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

import static io.hush.engine.onnx.Attributes.intAttr;
import static io.hush.engine.onnx.Attributes.intsAttr;

/**
 * Flatten (axis 1), Reshape with a constant shape (image -> {@code [N,F]}, {@code [N,F]} -> NCHW or NHWC image) and
 * Transpose (the NHWC/NCHW relabellings tf2onnx writes around convolutions, which move no data). A flattened NCHW
 * image carries the {@code (c,h,w)} -> {@code (h,w,c)} feature permutation; a Reshape back to an NCHW image sets the
 * column order of the Dense that produced the features.
 */
final class ReshapeOps implements OpTranslator {
    @Override
    public Map<String, Set<String>> attributes() {
        return Map.of("Flatten", Set.of("axis"), "Reshape", Set.of("allowzero"), "Transpose", Set.of("perm"));
    }

    @Override
    public void check(Translation t, NodeProto n) {
        if (!n.getOpType().equals("Flatten")) return;
        long axis = intAttr(n, "axis", 1);
        if (axis != 1) t.problem(n, "axis=" + axis + " is not supported (only axis=1, keeping the batch)");
    }

    @Override
    public void translate(Translation t, NodeProto n) throws OnnxException {
        switch (n.getOpType()) {
            case "Flatten" -> {
                Val x = t.in(n, 0);
                if (x != null) t.define(n.getOutput(0), flattened(t, n, x));
            }
            case "Reshape" -> reshape(t, n);
            default -> transpose(t, n);
        }
    }

    private static Val flattened(Translation t, NodeProto n, Val x) {
        if (x.layout() == Layout.FLAT) return x;
        Shape s = t.b.shape(x.node());
        int id = t.add(new Flatten().name(t.layerName(n)), x.node());
        int[] perm = x.layout() == Layout.NCHW ? Layouts.chwToHwc(s.dim(2), s.dim(0), s.dim(1)) : null;
        return new Val(id, Layout.FLAT, perm, null);
    }

    private static void reshape(Translation t, NodeProto n) throws OnnxException {
        Val x = t.in(n, 0);
        if (x == null) return;
        TensorProto shapeT = n.getInputCount() > 1 ? t.consts.get(n.getInput(1)) : null;
        if (shapeT == null) {
            t.problem(n, "the shape must be a constant (initializer, Constant, or shape arithmetic on constants)");
            return;
        }
        long[] shape = OnnxTensors.longs(shapeT);
        int[] d = t.onnxDims(x); // per-sample ONNX dims
        int[] target = perSample(t, n, shape, d);
        if (target == null) return;
        if (Arrays.equals(target, d)) {
            t.alias(n, x);
        } else if (target.length == 1) {
            t.define(n.getOutput(0), flattened(t, n, x));
        } else if (target.length == 3 && x.layout() == Layout.FLAT) {
            boolean nhwc = t.allConsumersTranspose(n.getOutput(0), Translation.TO_NCHW);
            int[] hush = nhwc ? target : new int[] {target[1], target[2], target[0]};
            int[] need = nhwc ? null : Layouts.chwToHwc(target[0], target[1], target[2]);
            if (!Arrays.equals(x.perm(), need)) {
                if (x.free() != null && !x.free().fixed && t.soleReader(n.getInput(0))) {
                    x.free().outPerm = need;
                    x.free().fixed = true;
                } else {
                    t.problem(n, "reshaping features to an " + (nhwc ? "NHWC" : "NCHW") + " image needs them in "
                            + (nhwc ? "(h,w,c)" : "(c,h,w)") + " order; Hush can only arrange that when a"
                            + " Gemm/MatMul produces them (directly or through activations)");
                    return;
                }
            }
            int id = t.add(new Reshape(hush).name(t.layerName(n)), x.node());
            t.define(n.getOutput(0), new Val(id, nhwc ? Layout.NHWC : Layout.NCHW, null, null));
        } else {
            t.problem(n, "reshape " + Arrays.toString(d) + " -> " + Arrays.toString(target) + " per sample is not"
                    + " supported (only image -> [N,F] and [N,F] -> image)");
        }
    }

    /**
     * The per-sample target dims of a Reshape to {@code shape} from per-sample dims {@code d} (entry 0 of the shape
     * is the batch: 0, -1, a fixed export-time batch size or the folded {@link ShapeFolding#BATCH}), or null after
     * reporting why not.
     */
    private static int[] perSample(Translation t, NodeProto n, long[] shape, int[] d) {
        long size = 1;
        for (int v : d) size *= v;
        boolean allowZero = intAttr(n, "allowzero", 0) != 0;
        if (shape.length < 2) {
            t.problem(n, "shape " + shapeText(shape) + " drops the batch dimension");
            return null;
        }
        long[] per = new long[shape.length - 1];
        int infer = -1;
        long known = 1;
        for (int k = 1; k < shape.length; k++) {
            long v = shape[k];
            if (v == 0 && !allowZero) {
                if (k - 1 >= d.length) {
                    t.problem(n, "shape " + shapeText(shape) + " copies a dimension the input does not have");
                    return null;
                }
                v = d[k - 1];
            }
            if (v == -1) {
                if (infer >= 0 || shape[0] == -1) {
                    t.problem(n, "shape " + shapeText(shape) + " has more than one -1 (the batch is dimension 0)");
                    return null;
                }
                infer = k - 1;
            } else if (v == ShapeFolding.BATCH) {
                t.problem(n, "the batch size is used as dimension " + k + " of the shape (only dimension 0 may be)");
                return null;
            } else if (v <= 0) {
                t.problem(n, "shape " + shapeText(shape) + " is not supported");
                return null;
            } else {
                known *= v;
            }
            per[k - 1] = v;
        }
        if (infer >= 0) {
            if (known == 0 || size % known != 0) {
                t.problem(n, "cannot reshape " + Arrays.toString(d) + " per sample to " + shapeText(shape));
                return null;
            }
            per[infer] = size / known;
            known = size;
        }
        if (known != size) {
            t.problem(n, "shape " + shapeText(shape) + " changes the batch size (per-sample " + Arrays.toString(d)
                    + " has " + size + " values); Hush reshapes each sample");
            return null;
        }
        return Arrays.stream(per).mapToInt(v -> (int) v).toArray();
    }

    /** A shape vector for messages, the folded batch size shown as N. */
    static String shapeText(long[] t) {
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < t.length; k++) sb.append(k == 0 ? "" : ", ").append(t[k] == ShapeFolding.BATCH ? "N" : Long.toString(t[k]));
        return sb.append(']').toString();
    }

    private static void transpose(Translation t, NodeProto n) {
        Val x = t.in(n, 0);
        if (x == null) return;
        int[] perm = intsAttr(n, "perm", null);
        int rank = x.layout() == Layout.FLAT ? 2 : 4;
        int[] identity = new int[rank];
        for (int k = 0; k < rank; k++) identity[k] = k;
        if (perm == null) {
            perm = new int[rank];
            for (int k = 0; k < rank; k++) perm[k] = rank - 1 - k;
        }
        if (Arrays.equals(perm, identity)) t.alias(n, x);
        else if (x.layout() == Layout.NHWC && Arrays.equals(perm, Translation.TO_NCHW)) t.alias(n, x.relayout(Layout.NCHW));
        else if (x.layout() == Layout.NCHW && Arrays.equals(perm, Translation.TO_NHWC)) t.alias(n, x.relayout(Layout.NHWC));
        else {
            t.problem(n, "perm=" + Arrays.toString(perm) + " on a " + x.layout() + " value is not supported (only the"
                    + " NHWC<->NCHW transposes tf2onnx puts around convolutions)");
        }
    }
}
