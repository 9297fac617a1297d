package io.hush.engine.onnx;

import io.hush.engine.layers.Dense;
import io.hush.engine.onnx.proto.Onnx.NodeProto;
import io.hush.engine.onnx.proto.Onnx.TensorProto;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.hush.engine.onnx.Attributes.floatAttr;
import static io.hush.engine.onnx.Attributes.intAttr;

/**
 * Gemm (transA 0; alpha, beta, transB) and MatMul with a constant {@code [In,Out]} weight (plus the Add of a
 * constant bias row that follows it) to Dense. The weight rows follow the input's Hush feature order; the output
 * columns stay free until a Reshape to an image fixes them ({@link Val.DenseOut}).
 */
final class DenseOps implements OpTranslator {
    @Override
    public Map<String, Set<String>> attributes() {
        return Map.of("Gemm", Set.of("alpha", "beta", "transA", "transB"), "MatMul", Set.of());
    }

    @Override
    public void check(Translation t, NodeProto n) {
        if (n.getOpType().equals("Gemm") && intAttr(n, "transA", 0) != 0) t.problem(n, "transA=1 is not supported");
    }

    @Override
    public void translate(Translation t, NodeProto n) throws OnnxException {
        Val x = t.features(n, t.in(n, 0));
        if (x == null) return;
        TensorProto bt = t.constTensor(n, 1, "B");
        if (bt == null) return;
        if (n.getOpType().equals("Gemm")) gemm(t, n, x, bt);
        else matMul(t, n, x, bt);
    }

    private static void gemm(Translation t, NodeProto n, Val x, TensorProto bt) throws OnnxException {
        long[] bd = OnnxTensors.dims(bt);
        boolean transB = intAttr(n, "transB", 0) != 0;
        int f = t.b.shape(x.node()).dim(0);
        if (bd.length != 2 || bd[transB ? 1 : 0] != f) {
            t.problem(n, "B " + Arrays.toString(bd) + (transB ? " (transB=1)" : "") + " does not fit " + f + " input features");
            return;
        }
        int out = (int) bd[transB ? 0 : 1];
        float alpha = floatAttr(n, "alpha", 1f), beta = floatAttr(n, "beta", 1f);
        float[] raw = OnnxTensors.floats(bt);
        float[] w = new float[f * out]; // [In,Out]
        for (int r = 0; r < f; r++) {
            for (int c = 0; c < out; c++) w[r * out + c] = alpha * (transB ? raw[c * f + r] : raw[r * out + c]);
        }
        float[] bias = null;
        if (Translation.hasInput(n, 2)) {
            TensorProto ct = t.constTensor(n, 2, "C");
            if (ct == null) return;
            float[] cv = OnnxTensors.floats(ct);
            bias = new float[out];
            if (cv.length == out) for (int c = 0; c < out; c++) bias[c] = beta * cv[c];
            else if (cv.length == 1) Arrays.fill(bias, beta * cv[0]);
            else {
                t.problem(n, "C " + Arrays.toString(OnnxTensors.dims(ct)) + " is not a bias of " + out + " values");
                return;
            }
        }
        dense(t, n, x, w, f, out, bias, n.getOutput(0));
    }

    private static void matMul(Translation t, NodeProto n, Val x, TensorProto bt) throws OnnxException {
        long[] bd = OnnxTensors.dims(bt);
        int f = t.b.shape(x.node()).dim(0);
        if (bd.length != 2 || bd[0] != f) {
            t.problem(n, "B " + Arrays.toString(bd) + " does not fit " + f + " input features ([In,Out] expected)");
            return;
        }
        int out = (int) bd[1];
        float[] w = OnnxTensors.floats(bt);
        float[] bias = null;
        String result = n.getOutput(0);
        // MatMul + Add(constant bias) is one Dense (what tf2onnx writes for Keras Dense, and torch for x @ W + b)
        List<NodeProto> cs = t.consumers.getOrDefault(result, List.of());
        if (t.soleReader(result) && cs.get(0).getOpType().equals("Add")) {
            NodeProto add = cs.get(0);
            String other = add.getInput(0).equals(result) ? add.getInput(1) : add.getInput(0);
            TensorProto bt2 = t.consts.get(other);
            if (bt2 != null && add.getAttributeCount() == 0) {
                float[] bv = OnnxTensors.floats(bt2);
                long[] d = OnnxTensors.dims(bt2);
                boolean isRow = bv.length == out && (d.length == 1 || d.length == 2 && d[0] == 1);
                if (isRow) {
                    bias = bv;
                    t.done.add(add);
                    result = add.getOutput(0);
                }
            }
        }
        dense(t, n, x, w, f, out, bias, result);
    }

    /** A Dense from a weight in ONNX row order [In,Out]; rows are permuted to the input's Hush feature order. */
    private static void dense(Translation t, NodeProto n, Val x, float[] w, int in, int out, float[] bias, String result) {
        Translation.Fused fused = t.fusedActivation(result);
        boolean useBias = bias != null;
        Dense d = new Dense(out, fused.act(), useBias);
        int id = t.add(d.name(t.layerName(n)), x.node());
        Val.DenseOut free = new Val.DenseOut();
        int[] inPerm = x.perm();
        t.setters.add(() -> {
            float[] k = new float[in * out];
            for (int r = 0; r < in; r++) {
                int hr = inPerm == null ? r : inPerm[r];
                for (int c = 0; c < out; c++) {
                    int hc = free.outPerm == null ? c : free.outPerm[c];
                    k[hr * out + hc] = w[r * out + c];
                }
            }
            d.kernel().value.copyFrom(k);
            if (useBias) {
                float[] bb = new float[out];
                for (int c = 0; c < out; c++) bb[free.outPerm == null ? c : free.outPerm[c]] = bias[c];
                d.bias().value.copyFrom(bb);
            }
        });
        t.define(fused.output(n, result), new Val(id, Layout.FLAT, null, free));
    }
}
