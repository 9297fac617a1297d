package io.hush.engine.onnx;

import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Padding;
import io.hush.engine.onnx.proto.Onnx.NodeProto;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

import static io.hush.engine.onnx.Attributes.intAttr;
import static io.hush.engine.onnx.Attributes.intsAttr;
import static io.hush.engine.onnx.Attributes.stringAttr;

/**
 * MaxPool (2-D, dilation 1, no Indices output) to MaxPool2D: auto_pad, explicit pads, and ceil_mode where it equals
 * TensorFlow SAME (zero pads, kernel == stride <= 2).
 */
final class PoolOps implements OpTranslator {
    @Override
    public Map<String, Set<String>> attributes() {
        return Map.of("MaxPool", Set.of("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "strides",
                "storage_order"));
    }

    @Override
    public void check(Translation t, NodeProto n) {
        int[] dil = intsAttr(n, "dilations", null);
        if (dil != null && Arrays.stream(dil).anyMatch(x -> x != 1)) {
            t.problem(n, "dilations=" + Arrays.toString(dil) + " is not supported for MaxPool");
        }
        if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() && t.consumers.containsKey(n.getOutput(1))) {
            t.problem(n, "the Indices output is not supported");
        }
        ConvOps.checkWindow(t, n, "strides", "kernel_shape");
        if (intsAttr(n, "kernel_shape", null) == null) t.problem(n, "kernel_shape is missing");
    }

    @Override
    public void translate(Translation t, NodeProto n) {
        Val x = t.image(n, t.in(n, 0));
        if (x == null) return;
        int[] k = intsAttr(n, "kernel_shape", null);
        int[] st = intsAttr(n, "strides", new int[] {1, 1});
        int[] pads = intsAttr(n, "pads", new int[4]);
        String ap = stringAttr(n, "auto_pad", "NOTSET");
        boolean ceil = intAttr(n, "ceil_mode", 0) != 0;
        MaxPool2D pool;
        if (ap.equals("SAME_UPPER")) {
            pool = new MaxPool2D(k[0], k[1], st[0], st[1], Padding.SAME);
        } else if (ap.equals("VALID")) {
            pool = new MaxPool2D(k[0], k[1], st[0], st[1], Padding.VALID);
        } else if (ap.equals("SAME_LOWER")) {
            if (st[0] == 1 && st[1] == 1 && k[0] % 2 == 1 && k[1] % 2 == 1) {
                pool = new MaxPool2D(k[0], k[1], 1, 1, Padding.SAME);
            } else {
                t.problem(n, "auto_pad=SAME_LOWER with strides " + Arrays.toString(st) + " is not supported");
                return;
            }
        } else if (ceil) {
            // ceil_mode adds a last, partial window; with zero pads and pool == stride <= 2 that is exactly
            // TensorFlow SAME (which pads at the end only, never at the start, for strides <= 2).
            boolean zero = Arrays.stream(pads).allMatch(p -> p == 0);
            if (zero && k[0] == st[0] && k[1] == st[1] && st[0] <= 2 && st[1] <= 2) {
                pool = new MaxPool2D(k[0], k[1], st[0], st[1], Padding.SAME);
            } else {
                t.problem(n, "ceil_mode=1 is only supported with zero pads and kernel == stride <= 2 (got kernel "
                        + Arrays.toString(k) + ", strides " + Arrays.toString(st) + ", pads " + Arrays.toString(pads) + ")");
                return;
            }
        } else if (Arrays.stream(pads).allMatch(p -> p == 0)) {
            pool = new MaxPool2D(k[0], k[1], st[0], st[1], Padding.VALID);
        } else {
            pool = MaxPool2D.explicit(k[0], k[1], st[0], st[1], pads[0], pads[1], pads[2], pads[3]);
        }
        int id = t.add(pool.name(t.layerName(n)), x.node());
        t.define(n.getOutput(0), new Val(id, Layout.NCHW, null, null));
    }
}
