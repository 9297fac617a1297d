package io.hush.engine.onnx;

import io.hush.engine.onnx.proto.Onnx.NodeProto;
import io.hush.engine.onnx.proto.Onnx.TensorProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.hush.engine.onnx.Attributes.intAttr;
import static io.hush.engine.onnx.Attributes.intsAttr;

/**
 * The shape-arithmetic ops (Shape, Gather, Unsqueeze, Squeeze, Concat, Cast): folds what exporters write around a
 * Reshape into constants at import time: PyTorch's {@code x.view(x.size(0), -1)} becomes
 * {@code Shape -> Gather(0) -> Unsqueeze -> Concat([.., -1]) -> Reshape}.
 * {@code Shape} of a tensor is known per sample; its batch entry is the marker {@link #BATCH}, which Reshape accepts
 * as dimension 0 (Hush reshapes each sample) and refuses anywhere else. Only constants are folded: Gather, Unsqueeze,
 * Squeeze, Concat and Cast of a non-constant tensor are reported as unsupported.
 */
final class ShapeFolding implements OpTranslator {
    /** The batch size in a folded shape vector (not a real size: only usable as a Reshape's dimension 0). */
    static final long BATCH = Long.MIN_VALUE;

    @Override
    public Map<String, Set<String>> attributes() {
        return Map.of("Shape", Set.of("start", "end"), "Gather", Set.of("axis"), "Unsqueeze", Set.of("axes"),
                "Squeeze", Set.of("axes"), "Concat", Set.of("axis"), "Cast", Set.of("to"));
    }

    @Override
    public void translate(Translation t, NodeProto n) throws OnnxException {
        String op = n.getOpType();
        if (op.equals("Shape")) {
            Val x = t.vals.get(n.getInput(0));
            long[] dims;
            if (x != null) {
                int[] d = t.onnxDims(x);
                dims = new long[d.length + 1];
                dims[0] = BATCH;
                for (int i = 0; i < d.length; i++) dims[i + 1] = d[i];
            } else {
                dims = OnnxTensors.dims(t.consts.get(n.getInput(0)));
            }
            int r = dims.length;
            int start = (int) intAttr(n, "start", 0), end = (int) intAttr(n, "end", r);
            start = Math.clamp(start < 0 ? start + r : start, 0, r);
            end = Math.clamp(end < 0 ? end + r : end, 0, r);
            long[] v = Arrays.copyOfRange(dims, start, Math.max(start, end));
            t.consts.put(n.getOutput(0), OnnxTensors.longTensor(n.getOutput(0), v, v.length));
            return;
        }
        for (int i = 0; i < n.getInputCount(); i++) {
            if (!n.getInput(i).isEmpty() && !t.consts.containsKey(n.getInput(i))) {
                t.problem(n, "only shape computations on constants are supported (input '" + n.getInput(i)
                        + "' is a tensor)");
                return;
            }
        }
        TensorProto a = t.consts.get(n.getInput(0));
        long[] ad = OnnxTensors.dims(a);
        TensorProto out = switch (op) {
            case "Gather" -> {
                long axis = intAttr(n, "axis", 0);
                if (ad.length != 1 || axis != 0 || !OnnxTensors.isInteger(a)) {
                    t.problem(n, "only Gather from a 1-D integer constant (a shape) is supported");
                    yield null;
                }
                long[] data = OnnxTensors.longs(a);
                TensorProto it = t.consts.get(n.getInput(1));
                long[] idx = OnnxTensors.longs(it);
                long[] v = new long[idx.length];
                for (int k = 0; k < idx.length; k++) {
                    long j = idx[k] < 0 ? idx[k] + data.length : idx[k];
                    if (j < 0 || j >= data.length) {
                        t.problem(n, "index " + idx[k] + " out of range for " + data.length + " values");
                        yield null;
                    }
                    v[k] = data[(int) j];
                }
                yield OnnxTensors.longTensor(n.getOutput(0), v, OnnxTensors.dims(it));
            }
            case "Unsqueeze", "Squeeze" -> {
                int[] axes = intsAttr(n, "axes", null);
                if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
                    axes = Arrays.stream(OnnxTensors.longs(t.consts.get(n.getInput(1)))).mapToInt(Math::toIntExact).toArray();
                }
                List<Long> d = new ArrayList<>();
                for (long x : ad) d.add(x);
                if (op.equals("Unsqueeze")) {
                    if (axes == null) {
                        t.problem(n, "axes are missing");
                        yield null;
                    }
                    int rank = ad.length + axes.length;
                    int[] sorted = Arrays.stream(axes).map(x -> x < 0 ? x + rank : x).sorted().toArray();
                    for (int x : sorted) d.add(x, 1L);
                } else {
                    int rank = ad.length;
                    int[] sorted = axes == null ? null : Arrays.stream(axes).map(x -> x < 0 ? x + rank : x).sorted().toArray();
                    for (int k = rank - 1; k >= 0; k--) {
                        final int kk = k;
                        boolean listed = sorted == null ? ad[k] == 1 : Arrays.stream(sorted).anyMatch(x -> x == kk);
                        if (listed) d.remove(k);
                    }
                }
                yield a.toBuilder().setName(n.getOutput(0)).clearDims().addAllDims(d).build();
            }
            case "Concat" -> {
                long axis = intAttr(n, "axis", 0);
                if (axis != 0 && !(axis == -1 && ad.length == 1)) {
                    t.problem(n, "only Concat of 1-D constants (shapes) is supported");
                    yield null;
                }
                List<Long> v = new ArrayList<>();
                for (String in : n.getInputList()) {
                    TensorProto c = t.consts.get(in);
                    if (OnnxTensors.dims(c).length != 1 || !OnnxTensors.isInteger(c)) {
                        t.problem(n, "only Concat of 1-D integer constants (shapes) is supported");
                        yield null;
                    }
                    for (long x : OnnxTensors.longs(c)) v.add(x);
                }
                long[] arr = v.stream().mapToLong(Long::longValue).toArray();
                yield OnnxTensors.longTensor(n.getOutput(0), arr, arr.length);
            }
            case "Cast" -> {
                long to = intAttr(n, "to", 0);
                if (to == TensorProto.DataType.INT64_VALUE || to == TensorProto.DataType.INT32_VALUE) {
                    long[] v = OnnxTensors.isInteger(a) ? OnnxTensors.longs(a) : toLongs(OnnxTensors.floats(a));
                    yield OnnxTensors.longTensor(n.getOutput(0), v, ad);
                } else if (to == TensorProto.DataType.FLOAT_VALUE) {
                    yield OnnxTensors.floatTensor(n.getOutput(0), OnnxTensors.floats(a), ad);
                }
                t.problem(n, "Cast to " + OnnxTensors.typeName((int) to) + " is not supported");
                yield null;
            }
            default -> throw new IllegalStateException(op);
        };
        if (out != null) t.consts.put(n.getOutput(0), out);
    }

    private static long[] toLongs(float[] f) {
        long[] v = new long[f.length];
        for (int i = 0; i < f.length; i++) v[i] = (long) f[i];
        return v;
    }
}
