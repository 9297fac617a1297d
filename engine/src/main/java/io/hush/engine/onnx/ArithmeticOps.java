package io.hush.engine.onnx;

import io.hush.engine.layers.Add;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.Scale;
import io.hush.engine.layers.Subtract;
import io.hush.engine.onnx.proto.Onnx.NodeProto;
import io.hush.engine.onnx.proto.Onnx.TensorProto;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Elementwise Add, Sub, Mul, Div: Add/Sub of two tensors of the same shape and layout (no broadcasting) to Add /
 * Subtract; Add/Sub/Mul/Div by a scalar constant to Scale, a Mul followed by an Add of a constant becoming one Scale
 * (as the exporter writes it).
 */
final class ArithmeticOps implements OpTranslator {
    @Override
    public Map<String, Set<String>> attributes() {
        return Map.of("Add", Set.of(), "Sub", Set.of(), "Mul", Set.of(), "Div", Set.of());
    }

    @Override
    public void translate(Translation t, NodeProto n) throws OnnxException {
        String a = n.getInput(0), c = n.getInput(1);
        boolean ca = t.consts.containsKey(a), cc = t.consts.containsKey(c);
        if (ca && cc) {
            t.problem(n, "both inputs are constants (fold them before export)");
            return;
        }
        if (!ca && !cc) twoTensors(t, n);
        else byConstant(t, n, ca);
    }

    private static void twoTensors(Translation t, NodeProto n) {
        String op = n.getOpType();
        Val x = t.in(n, 0), y = t.in(n, 1);
        if (x == null || y == null) return;
        if (!op.equals("Add") && !op.equals("Sub")) {
            t.problem(n, op + " of two tensors is not supported (only Add and Sub)");
            return;
        }
        if (x.layout() != y.layout() || !t.b.shape(x.node()).equals(t.b.shape(y.node()))
                || !Arrays.equals(x.perm(), y.perm())) {
            t.problem(n, "inputs differ in shape or layout (" + Arrays.toString(t.onnxDims(x)) + " " + x.layout()
                    + " vs " + Arrays.toString(t.onnxDims(y)) + " " + y.layout() + "); broadcasting is not supported");
            return;
        }
        Layer l = op.equals("Add") ? new Add() : new Subtract();
        int id = t.add(l.name(t.layerName(n)), x.node(), y.node());
        t.define(n.getOutput(0), new Val(id, x.layout(), x.perm(), null));
    }

    /** One input is a constant ({@code constFirst}: the first); it must hold a single value. */
    private static void byConstant(Translation t, NodeProto n, boolean constFirst) throws OnnxException {
        String op = n.getOpType();
        Val x = t.in(n, constFirst ? 1 : 0);
        if (x == null) return;
        TensorProto kt = t.consts.get(n.getInput(constFirst ? 0 : 1));
        float[] k = OnnxTensors.floats(kt);
        boolean uniform = k.length >= 1;
        for (float v : k) uniform &= v == k[0];
        if (!uniform) {
            t.problem(n, op + " by a constant of shape " + Arrays.toString(OnnxTensors.dims(kt))
                    + " is not supported (only scalar constants; per-channel scale/shift has no Hush layer)");
            return;
        }
        float v = k[0];
        Scale s = switch (op) {
            case "Add" -> new Scale(1f, v);
            case "Sub" -> constFirst ? new Scale(-1f, v) : new Scale(1f, -v);
            case "Mul" -> new Scale(v);
            default -> constFirst ? null : new Scale(1f / v);
        };
        if (s == null) {
            t.problem(n, "constant / tensor is not supported");
            return;
        }
        String result = n.getOutput(0);
        Float offset = s.offset() == 0f ? followingOffset(t, result) : null;
        if (offset != null) { // x * m + c: one Scale, as the exporter writes it (rounding is the same)
            s = new Scale(s.multiplier(), offset);
            result = t.consumers.get(result).get(0).getOutput(0);
        }
        int id = t.add(s.name(t.layerName(n)), x.node());
        t.define(result, t.pointwise(n.getInput(constFirst ? 1 : 0), x, id));
    }

    /**
     * If the only reader of {@code value} is {@code value + c} or {@code value - c} with a scalar constant c, marks
     * it done and returns its offset (c or -c).
     */
    private static Float followingOffset(Translation t, String value) throws OnnxException {
        if (!t.soleReader(value)) return null;
        NodeProto c = t.consumers.get(value).get(0);
        boolean add = c.getOpType().equals("Add"), sub = c.getOpType().equals("Sub");
        if (!add && !sub || c.getInputCount() != 2 || c.getAttributeCount() != 0) return null;
        boolean first = c.getInput(0).equals(value);
        String other = first ? c.getInput(1) : c.getInput(0);
        TensorProto k = t.consts.get(other);
        if (k == null || sub && !first || OnnxTensors.size(OnnxTensors.dims(k)) != 1) return null;
        float v = OnnxTensors.floats(k)[0];
        t.done.add(c);
        return sub ? -v : v;
    }
}
