package io.hush.engine.onnx;

import io.hush.engine.layers.Dropout;
import io.hush.engine.onnx.proto.Onnx.AttributeProto;
import io.hush.engine.onnx.proto.Onnx.NodeProto;
import io.hush.engine.onnx.proto.Onnx.TensorProto;

import java.util.Map;
import java.util.Set;

import static io.hush.engine.onnx.Attributes.floatAttr;

/**
 * The ops that compute nothing at inference: Constant (a constant value), Identity (an alias of a tensor or a
 * constant) and Dropout (a Hush Dropout layer, kept for fine-tuning; none at ratio 0; no mask output).
 */
final class PassThroughOps implements OpTranslator {
    private static final Set<String> CONSTANT_FORMS = Set.of("value", "value_float", "value_floats", "value_int",
            "value_ints");

    @Override
    public Map<String, Set<String>> attributes() {
        return Map.of("Constant", CONSTANT_FORMS, "Identity", Set.of(), "Dropout", Set.of("ratio", "seed"));
    }

    @Override
    public void check(Translation t, NodeProto n) {
        switch (n.getOpType()) {
            case "Constant" -> {
                if (n.getAttributeCount() != 1 || !CONSTANT_FORMS.contains(n.getAttribute(0).getName())) {
                    t.problem(n, "only value/value_float(s)/value_int(s) constants are supported");
                }
            }
            case "Dropout" -> {
                if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() && t.consumers.containsKey(n.getOutput(1))) {
                    t.problem(n, "the mask output is not supported");
                }
            }
            default -> { }
        }
    }

    @Override
    public void translate(Translation t, NodeProto n) throws OnnxException {
        switch (n.getOpType()) {
            case "Constant" -> t.consts.put(n.getOutput(0), constant(n));
            case "Identity" -> {
                if (t.consts.containsKey(n.getInput(0))) t.consts.put(n.getOutput(0), t.consts.get(n.getInput(0)));
                else t.alias(n, t.in(n, 0));
            }
            default -> dropout(t, n);
        }
    }

    private static TensorProto constant(NodeProto n) throws OnnxException {
        AttributeProto a = n.getAttribute(0);
        String out = n.getOutput(0);
        return switch (a.getName()) {
            case "value" -> a.getT();
            case "value_float" -> OnnxTensors.floatTensor(out, new float[] {a.getF()});
            case "value_floats" -> {
                float[] v = new float[a.getFloatsCount()];
                for (int k = 0; k < v.length; k++) v[k] = a.getFloats(k);
                yield OnnxTensors.floatTensor(out, v, v.length);
            }
            case "value_int" -> OnnxTensors.longTensor(out, new long[] {a.getI()});
            case "value_ints" -> {
                long[] v = a.getIntsList().stream().mapToLong(Long::longValue).toArray();
                yield OnnxTensors.longTensor(out, v, v.length);
            }
            default -> throw new OnnxException("Constant " + a.getName());
        };
    }

    private static void dropout(Translation t, NodeProto n) throws OnnxException {
        Val x = t.in(n, 0);
        if (x == null) return;
        float rate = floatAttr(n, "ratio", 0.5f);
        if (Translation.hasInput(n, 1)) {
            TensorProto r = t.consts.get(n.getInput(1));
            if (r == null) {
                t.problem(n, "the ratio must be a constant");
                return;
            }
            rate = OnnxTensors.floats(r)[0];
        }
        if (rate == 0f) {
            t.alias(n, x);
            return;
        }
        int id = t.add(new Dropout(rate).name(t.layerName(n)), x.node());
        t.define(n.getOutput(0), t.pointwise(n.getInput(0), x, id));
    }
}
