package io.hush.engine.onnx;

import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.Param;
import io.hush.engine.onnx.proto.Onnx.AttributeProto;
import io.hush.engine.onnx.proto.Onnx.GraphProto;
import io.hush.engine.onnx.proto.Onnx.ModelProto;
import io.hush.engine.onnx.proto.Onnx.NodeProto;
import io.hush.engine.onnx.proto.Onnx.OperatorSetIdProto;
import io.hush.engine.onnx.proto.Onnx.StringStringEntryProto;
import io.hush.engine.onnx.proto.Onnx.TensorProto;
import io.hush.engine.onnx.proto.Onnx.TensorShapeProto;
import io.hush.engine.onnx.proto.Onnx.ValueInfoProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.hush.engine.onnx.OnnxImporter.DEFAULT_SPATIAL;
import static io.hush.engine.onnx.OnnxImporter.MAX_OPSET;
import static io.hush.engine.onnx.OnnxImporter.MIN_OPSET;

/**
 * One ONNX import: walks the nodes the graph output depends on, checks each with its {@link OpTranslator} (op
 * type, attributes) and translates it once its inputs are known, collecting every problem; then builds the
 * {@link Model}, copies the weights in and records where it came from in the metadata. Holds what the translators
 * share: constants, translated values with their {@link Layout}, the readers of each value (for fusion) and the
 * {@link Model.Builder}.
 */
final class Translation {
    static final int[] TO_NCHW = {0, 3, 1, 2};
    static final int[] TO_NHWC = {0, 2, 3, 1};

    final ModelProto model;
    final GraphProto g;
    final String src;
    final int reqH, reqW;
    int opset;
    final Map<String, TensorProto> consts = new HashMap<>();
    final Map<String, Val> vals = new HashMap<>();
    final Map<String, List<NodeProto>> consumers = new HashMap<>();
    final Set<String> graphOutputs = new HashSet<>();
    final Set<NodeProto> done = Collections.newSetFromMap(new IdentityHashMap<>());
    final List<String> problems = new ArrayList<>();
    /** Weight copies, run once the model is built (and its parameters exist). */
    final List<Runnable> setters = new ArrayList<>();
    final Set<String> layerNames = new HashSet<>();
    boolean unsupportedOp;
    Model.Builder b;
    String inputName;
    Layout inputLayout;

    Translation(ModelProto model, String src, int h, int w) {
        this.model = model;
        this.g = model.getGraph();
        this.src = src;
        this.reqH = h;
        this.reqW = w;
    }

    Model run() throws OnnxException {
        opset = defaultOpset();
        for (TensorProto t : g.getInitializerList()) consts.put(t.getName(), t);
        if (g.getOutputCount() != 1) {
            throw new OnnxException(src + ": Hush models have one output, this graph has " + g.getOutputCount());
        }
        String outName = g.getOutput(0).getName();
        graphOutputs.add(outName);
        List<NodeProto> live = liveNodes(outName);
        for (NodeProto n : live) {
            for (String in : n.getInputList()) {
                // Shape reads no data: it does not count as a reader (for fusion and Dense column permutation)
                if (!in.isEmpty() && !n.getOpType().equals("Shape")) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
        startInput();
        for (NodeProto n : live) {
            if (done.contains(n)) continue;
            int before = problems.size();
            checkStatic(n);
            boolean ok = problems.size() == before;
            boolean inputsReady = true;
            for (int i = 0; i < n.getInputCount(); i++) {
                String in = n.getInput(i);
                if (!in.isEmpty() && !vals.containsKey(in) && !consts.containsKey(in)) inputsReady = false;
            }
            if (ok && inputsReady) {
                try {
                    OpRegistry.forOp(n.getOpType()).translate(this, n);
                } catch (RuntimeException e) { // a layer constructor or shape rule refused the settings
                    problem(n, e.getMessage());
                } catch (OnnxException e) { // a tensor it reads is unusable (data type, size)
                    problem(n, e.getMessage());
                }
            }
        }
        Val out = vals.get(outName);
        if (problems.isEmpty()) {
            if (out == null) {
                problems.add("graph output '" + outName + "' is a constant or was not produced");
            } else if (out.node() != b.current()) {
                problems.add("graph output '" + outName + "' is not the last layer of the translated model");
            }
        }
        if (!problems.isEmpty()) {
            StringBuilder sb = new StringBuilder(src).append(": cannot import this ONNX model into Hush (")
                    .append(problems.size()).append(problems.size() == 1 ? " problem" : " problems").append("):");
            for (String p : problems) sb.append("\n  - ").append(p);
            if (unsupportedOp) {
                sb.append("\nHush imports these operators: ").append(String.join(", ", OpRegistry.supportedOps()));
            }
            throw new OnnxException(sb.toString());
        }
        Model m = b.build();
        for (Runnable r : setters) r.run();
        Map<String, String> md = m.metadata();
        for (StringStringEntryProto e : model.getMetadataPropsList()) md.put(e.getKey(), e.getValue());
        md.put("onnx.source", src);
        if (!model.getProducerName().isEmpty()) {
            md.put("onnx.producer", (model.getProducerName() + " " + model.getProducerVersion()).trim());
        }
        md.put("onnx.opset", Integer.toString(opset));
        md.put("onnx.input", inputName + " " + inputLayout + (inputLayout == Layout.NCHW ? " (Hush input is NHWC)" : ""));
        md.put("onnx.output", outName + " " + out.layout() + (out.layout() == Layout.NCHW ? " (Hush output is NHWC)" : ""));
        return m;
    }

    int defaultOpset() throws OnnxException {
        int v = -1;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) v = (int) o.getVersion();
        }
        if (v < 0) throw new OnnxException(src + ": the model imports no default-domain opset");
        if (v < MIN_OPSET || v > MAX_OPSET) {
            throw new OnnxException(src + ": opset " + v + " is not supported (Hush imports opsets " + MIN_OPSET
                    + " to " + MAX_OPSET + "; re-export, e.g. torch.onnx.export(..., opset_version=17))");
        }
        return v;
    }

    /** Nodes the output depends on, in graph order (ONNX requires topological order). */
    List<NodeProto> liveNodes(String out) {
        Map<String, NodeProto> producer = new HashMap<>();
        for (NodeProto n : g.getNodeList()) for (String o : n.getOutputList()) producer.put(o, n);
        Set<NodeProto> live = Collections.newSetFromMap(new IdentityHashMap<>());
        List<String> stack = new ArrayList<>(List.of(out));
        while (!stack.isEmpty()) {
            NodeProto n = producer.get(stack.remove(stack.size() - 1));
            if (n == null || !live.add(n)) continue;
            for (String in : n.getInputList()) if (!in.isEmpty()) stack.add(in);
        }
        List<NodeProto> order = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) if (live.contains(n)) order.add(n);
        return order;
    }

    void startInput() throws OnnxException {
        List<ValueInfoProto> ins = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) if (!consts.containsKey(v.getName())) ins.add(v);
        if (ins.size() != 1) {
            throw new OnnxException(src + ": Hush models have one input, this graph has " + ins.size()
                    + (ins.isEmpty() ? "" : " " + ins.stream().map(ValueInfoProto::getName).toList()));
        }
        ValueInfoProto in = ins.get(0);
        inputName = in.getName();
        if (!in.getType().hasTensorType()) throw new OnnxException(src + ": input '" + inputName + "' is not a tensor");
        int et = in.getType().getTensorType().getElemType();
        if (et != TensorProto.DataType.FLOAT_VALUE) {
            throw new OnnxException(src + ": input '" + inputName + "' is " + OnnxTensors.typeName(et) + ", Hush takes FLOAT");
        }
        TensorShapeProto shape = in.getType().getTensorType().getShape();
        int rank = shape.getDimCount();
        long[] d = new long[rank];
        for (int i = 0; i < rank; i++) d[i] = shape.getDim(i).hasDimValue() ? shape.getDim(i).getDimValue() : -1;
        if (rank == 4) {
            boolean nhwc = allConsumersTranspose(inputName, TO_NCHW);
            inputLayout = nhwc ? Layout.NHWC : Layout.NCHW;
            int c = (int) (nhwc ? d[3] : d[1]);
            int h = (int) (nhwc ? d[1] : d[2]);
            int w = (int) (nhwc ? d[2] : d[3]);
            if (c <= 0) throw new OnnxException(src + ": input '" + inputName + "' has no fixed channel count");
            if (reqH > 0) h = reqH;
            if (reqW > 0) w = reqW;
            if (h <= 0) h = DEFAULT_SPATIAL;
            if (w <= 0) w = DEFAULT_SPATIAL;
            b = Model.builder(h, w, c);
        } else if (rank == 2) {
            if (d[1] <= 0) throw new OnnxException(src + ": input '" + inputName + "' has no fixed feature count");
            inputLayout = Layout.FLAT;
            b = Model.builder(Shape.of((int) d[1]));
        } else {
            throw new OnnxException(src + ": input '" + inputName + "' has rank " + rank
                    + "; Hush takes images [N,C,H,W] (or NHWC) and feature vectors [N,F]");
        }
        vals.put(inputName, new Val(0, inputLayout, null, null));
    }

    /** Op type, domain and attribute names, then the family's own checks; done for every node. */
    void checkStatic(NodeProto n) {
        String op = n.getOpType();
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
            problem(n, "operator from domain '" + n.getDomain() + "' is not supported");
            return;
        }
        OpTranslator family = OpRegistry.forOp(op);
        if (family == null) {
            problem(n, "unsupported operator");
            unsupportedOp = true;
            return;
        }
        Set<String> known = OpRegistry.attributes(op);
        for (AttributeProto a : n.getAttributeList()) {
            if (!known.contains(a.getName())) problem(n, "unsupported attribute " + Attributes.show(a));
        }
        try {
            family.check(this, n);
        } catch (RuntimeException e) { // an attribute of the wrong type or out of range
            problem(n, e.getMessage());
        }
    }

    // ---- values ----

    record Fused(Activation act, NodeProto node) {
        String output(NodeProto n) { return output(n, n.getOutput(0)); }

        String output(NodeProto n, String own) { return node == null ? own : node.getOutput(0); }
    }

    /** The activation that is the only consumer of {@code value}, fused into its producer (marked done). */
    Fused fusedActivation(String value) {
        if (!soleReader(value)) return new Fused(Activation.LINEAR, null);
        NodeProto c = consumers.get(value).get(0);
        if (!ActivationOps.OPS.containsKey(c.getOpType())) return new Fused(Activation.LINEAR, null);
        int before = problems.size();
        checkStatic(c);
        if (problems.size() != before) {
            problems.subList(before, problems.size()).clear(); // reported when the loop reaches it
            return new Fused(Activation.LINEAR, null);
        }
        Activation a;
        try {
            a = ActivationOps.activationOf(this, c, false);
        } catch (OnnxException e) {
            a = null;
        }
        if (a == null) return new Fused(Activation.LINEAR, null);
        done.add(c);
        return new Fused(a, c);
    }

    /** A pointwise layer's output on x (ONNX name {@code in}): same layout; the Dense stays free if sole reader. */
    Val pointwise(String in, Val x, int id) {
        return new Val(id, x.layout(), x.perm(), soleReader(in) ? x.free() : null);
    }

    boolean soleReader(String value) {
        return consumers.getOrDefault(value, List.of()).size() == 1 && !graphOutputs.contains(value);
    }

    /** Whether every reader of {@code value} is a Transpose with this perm (and there is one at least). */
    boolean allConsumersTranspose(String value, int[] perm) {
        List<NodeProto> cs = consumers.getOrDefault(value, List.of());
        if (cs.isEmpty()) return false;
        for (NodeProto c : cs) {
            if (!c.getOpType().equals("Transpose")) return false;
            try {
                if (!Arrays.equals(Attributes.intsAttr(c, "perm", null), perm)) return false;
            } catch (IllegalArgumentException e) { // reported when the loop reaches c
                return false;
            }
        }
        return true;
    }

    /** Per-sample ONNX dims of a value. */
    int[] onnxDims(Val x) {
        int[] s = b.shape(x.node()).dims();
        return switch (x.layout()) {
            case NCHW -> new int[] {s[2], s[0], s[1]};
            case NHWC, FLAT -> s;
        };
    }

    Val image(NodeProto n, Val x) {
        if (x == null) return null;
        if (x.layout() != Layout.NCHW) {
            problem(n, "expects an NCHW image, got a " + (x.layout() == Layout.FLAT ? "[N,F] feature" : "NHWC")
                    + " value " + Arrays.toString(onnxDims(x)));
            return null;
        }
        return x;
    }

    Val features(NodeProto n, Val x) {
        if (x == null) return null;
        if (x.layout() != Layout.FLAT) {
            problem(n, "expects features [N,F], got a 4-D " + x.layout() + " value (flatten it first)");
            return null;
        }
        return x;
    }

    /** Input {@code idx} of n as a constant, or null after reporting it missing or computed. */
    TensorProto constTensor(NodeProto n, int idx, String what) {
        if (n.getInputCount() <= idx || n.getInput(idx).isEmpty()) {
            problem(n, what + " input is missing");
            return null;
        }
        TensorProto t = consts.get(n.getInput(idx));
        if (t == null) problem(n, what + " '" + n.getInput(idx) + "' must be a constant (initializer)");
        return t;
    }

    /** Whether optional input {@code idx} of n is given. */
    static boolean hasInput(NodeProto n, int idx) {
        return n.getInputCount() > idx && !n.getInput(idx).isEmpty();
    }

    /** Input {@code idx} of n as a translated tensor, or null after reporting it. */
    Val in(NodeProto n, int idx) {
        String name = n.getInput(idx);
        Val v = vals.get(name);
        if (v == null) {
            problem(n, "input '" + name + "' is " + (consts.containsKey(name) ? "a constant" : "not available")
                    + " where a tensor is expected");
        }
        return v;
    }

    void alias(NodeProto n, Val v) {
        if (v != null) define(n.getOutput(0), v);
    }

    void define(String name, Val v) {
        vals.put(name, v);
    }

    /** Adds a layer to the model on the given Hush nodes and returns its node. */
    int add(Layer l, int... inputs) {
        b.add(l, inputs);
        return b.current();
    }

    void problem(NodeProto n, String what) {
        problems.add(where(n) + ": " + what);
    }

    /** Op type and name (or output) of a node, as every problem line starts. */
    static String where(NodeProto n) {
        String name = n.getName().isEmpty() ? "(unnamed, output " + (n.getOutputCount() > 0 ? n.getOutput(0) : "?") + ")"
                : "'" + n.getName() + "'";
        return n.getOpType() + " " + name;
    }

    /** A unique Hush layer name from the ONNX node name (or its output name), without torch's leading '/'. */
    String layerName(NodeProto n) {
        String s = n.getName().isEmpty() ? n.getOutput(0) : n.getName();
        if (s.startsWith("/")) s = s.substring(1);
        if (s.isEmpty()) s = n.getOpType().toLowerCase();
        String r = s;
        for (int k = 2; !layerNames.add(r); k++) r = s + "_" + k;
        return r;
    }

    static Param param(Layer l, String name) {
        for (Param p : l.params()) if (p.name.equals(name) || p.name.endsWith("/" + name)) return p;
        throw new IllegalStateException(l + " has no parameter " + name);
    }
}
