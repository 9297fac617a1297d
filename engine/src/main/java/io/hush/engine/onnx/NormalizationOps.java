package io.hush.engine.onnx;

import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.onnx.proto.Onnx.NodeProto;
import io.hush.engine.onnx.proto.Onnx.TensorProto;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

import static io.hush.engine.onnx.Attributes.floatAttr;
import static io.hush.engine.onnx.Attributes.intAttr;

/**
 * BatchNormalization in its inference form (constant scale, B, mean, var) to BatchNorm2D, on NCHW images or
 * features {@code [N,F]} (BatchNorm1d; the statistics follow the features' Hush order).
 */
final class NormalizationOps implements OpTranslator {
    private static final String[] INPUTS = {"scale", "B", "mean", "var"};

    @Override
    public Map<String, Set<String>> attributes() {
        return Map.of("BatchNormalization", Set.of("epsilon", "momentum", "training_mode", "spatial"));
    }

    @Override
    public void check(Translation t, NodeProto n) {
        if (intAttr(n, "training_mode", 0) != 0) t.problem(n, "training_mode=1 is not supported (export in eval mode)");
        for (int k = 1; k < n.getOutputCount(); k++) {
            if (!n.getOutput(k).isEmpty() && t.consumers.containsKey(n.getOutput(k))) {
                t.problem(n, "training outputs (running mean/var) are not supported");
            }
        }
    }

    @Override
    public void translate(Translation t, NodeProto n) throws OnnxException {
        Val x = t.in(n, 0);
        if (x == null) return;
        if (x.layout() == Layout.NHWC) {
            t.problem(n, "normalises axis 1, which is H of this NHWC value " + Arrays.toString(t.onnxDims(x)));
            return;
        }
        int c = t.b.shape(x.node()).dim(-1); // channels of an image, or features [N,F] (BatchNorm1d)
        float[][] p = new float[4][];
        for (int k = 0; k < 4; k++) {
            TensorProto v = t.constTensor(n, k + 1, INPUTS[k]);
            if (v == null) return;
            p[k] = OnnxTensors.floats(v);
            if (p[k].length != c) {
                t.problem(n, INPUTS[k] + " has " + p[k].length + " values for " + c + " channels");
                return;
            }
            if (x.perm() != null) { // features in Hush order
                float[] h = new float[c];
                for (int j = 0; j < c; j++) h[x.perm()[j]] = p[k][j];
                p[k] = h;
            }
        }
        BatchNorm2D bn = new BatchNorm2D(floatAttr(n, "momentum", 0.9f), floatAttr(n, "epsilon", 1e-5f));
        int id = t.add(bn.name(t.layerName(n)), x.node());
        t.setters.add(() -> {
            Translation.param(bn, "gamma").value.copyFrom(p[0]);
            Translation.param(bn, "beta").value.copyFrom(p[1]);
            Translation.param(bn, "moving_mean").value.copyFrom(p[2]);
            Translation.param(bn, "moving_variance").value.copyFrom(p[3]);
        });
        t.define(n.getOutput(0), new Val(id, x.layout(), x.perm(), null));
    }
}
