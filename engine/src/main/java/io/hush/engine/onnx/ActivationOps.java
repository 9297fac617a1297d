package io.hush.engine.onnx;

import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.ActivationLayer;
import io.hush.engine.onnx.proto.Onnx.NodeProto;
import io.hush.engine.onnx.proto.Onnx.TensorProto;

import java.util.Map;
import java.util.Set;

import static io.hush.engine.onnx.Attributes.floatAttr;

/**
 * Relu, LeakyRelu (0 <= alpha < 1), Sigmoid, Tanh and Clip(0, inf) (= ReLU; Clip(-inf, inf) is the identity) to an
 * ActivationLayer, or fused into the Conv, ConvTranspose, Gemm or MatMul whose only reader they are
 * ({@link Translation#fusedActivation}).
 */
final class ActivationOps implements OpTranslator {
    /** The activation ops and their attributes. */
    static final Map<String, Set<String>> OPS = Map.of("Relu", Set.of(), "LeakyRelu", Set.of("alpha"),
            "Sigmoid", Set.of(), "Tanh", Set.of(), "Clip", Set.of("min", "max"));

    @Override
    public Map<String, Set<String>> attributes() {
        return OPS;
    }

    @Override
    public void check(Translation t, NodeProto n) {
        switch (n.getOpType()) {
            case "LeakyRelu" -> {
                float a = floatAttr(n, "alpha", 0.01f);
                if (!(a >= 0f && a < 1f)) t.problem(n, "alpha=" + a + " is not supported (Hush LeakyReLU needs 0 <= alpha < 1)");
            }
            case "Clip" -> {
                try {
                    activationOf(t, n, true);
                } catch (OnnxException e) {
                    t.problem(n, e.getMessage());
                }
            }
            default -> { }
        }
    }

    @Override
    public void translate(Translation t, NodeProto n) throws OnnxException {
        Val x = t.in(n, 0);
        if (x == null) return;
        Activation a = activationOf(t, n, false); // check reported unsupported bounds
        if (a == null) return;
        if (a == Activation.LINEAR) {
            t.alias(n, x);
            return;
        }
        int id = t.add(new ActivationLayer(a).name(t.layerName(n)), x.node());
        t.define(n.getOutput(0), t.pointwise(n.getInput(0), x, id));
    }

    /** The Hush activation of an activation node, or null (after recording a problem if {@code report}). */
    static Activation activationOf(Translation t, NodeProto n, boolean report) throws OnnxException {
        return switch (n.getOpType()) {
            case "Relu" -> Activation.RELU;
            case "LeakyRelu" -> Activation.leakyRelu(floatAttr(n, "alpha", 0.01f));
            case "Sigmoid" -> Activation.SIGMOID;
            case "Tanh" -> Activation.TANH;
            case "Clip" -> {
                float lo = floatAttr(n, "min", Float.NEGATIVE_INFINITY), hi = floatAttr(n, "max", Float.POSITIVE_INFINITY);
                String[] what = {"min", "max"};
                float[] bounds = {lo, hi};
                for (int k = 0; k < 2; k++) {
                    if (!Translation.hasInput(n, k + 1)) continue;
                    TensorProto b = t.consts.get(n.getInput(k + 1));
                    if (b == null) {
                        if (report) t.problem(n, what[k] + " must be a constant");
                        yield null;
                    }
                    bounds[k] = OnnxTensors.floats(b)[0];
                }
                lo = bounds[0];
                hi = bounds[1];
                if (lo == 0f && hi == Float.POSITIVE_INFINITY) yield Activation.RELU;
                if (lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY) yield Activation.LINEAR;
                if (report) {
                    t.problem(n, "Clip(" + lo + ", " + hi + ") is not supported: only Clip(0, inf) (= ReLU);"
                            + (lo == 0f && hi == 6f ? " ReLU6 has" : " other bounds have") + " no Hush activation");
                }
                yield null;
            }
            default -> null;
        };
    }
}
