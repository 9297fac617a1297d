package io.hush.engine.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.layers.Activation;
import io.hush.engine.layers.ActivationLayer;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Dropout;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Padding;
import io.hush.engine.layers.Param;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.Scale;
import io.hush.engine.layers.Subtract;
import io.hush.engine.onnx.proto.Onnx.AttributeProto;
import io.hush.engine.onnx.proto.Onnx.GraphProto;
import io.hush.engine.onnx.proto.Onnx.ModelProto;
import io.hush.engine.onnx.proto.Onnx.NodeProto;
import io.hush.engine.onnx.proto.Onnx.OperatorSetIdProto;
import io.hush.engine.onnx.proto.Onnx.StringStringEntryProto;
import io.hush.engine.onnx.proto.Onnx.TensorProto;
import io.hush.engine.onnx.proto.Onnx.TensorShapeProto;
import io.hush.engine.onnx.proto.Onnx.ValueInfoProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Imports an ONNX model (opsets {@value #MIN_OPSET} to {@value #MAX_OPSET}, float32) as an ordinary Hush
 * {@link Model}: it can be run, fine-tuned, saved as {@code .hush} and used by the CLI like any other.
 *
 * <p><b>Layouts.</b> ONNX convolution models are NCHW; Hush is NHWC. Every ONNX value is translated together with
 * the layout its ONNX view has over Hush's NHWC memory:
 * <ul>
 *   <li>an NCHW image {@code [N,C,H,W]} (what PyTorch exports) is Hush {@code [N,H,W,C]}; the model input becomes
 *       {@code [H,W,C]}, and an NCHW model output comes out NHWC;</li>
 *   <li>an NHWC image (tf2onnx from Keras: an NHWC input, or after {@code Transpose(perm=[0,2,3,1])}) is the same
 *       memory as Hush's; the {@code Transpose(0,3,1,2)} / {@code Transpose(0,2,3,1)} pairs tf2onnx puts around
 *       every convolution and pooling only relabel the value and are folded away;</li>
 *   <li>features {@code [N,F]} carry a permutation: PyTorch's {@code Flatten} of an NCHW image orders features
 *       {@code (c,h,w)}, Hush's {@code Flatten} orders them {@code (h,w,c)}, so the rows of the following
 *       Gemm/MatMul weight are permuted to match; a {@code Reshape} from features to an NCHW image (before a
 *       ConvTranspose) permutes the <em>columns</em> (and bias) of the Dense that produced the features instead,
 *       which must precede it (optionally through activations, each with a single consumer). No extra layers or
 *       copies are inserted, so the imported model has exactly the layers a Keras user would have written.</li>
 * </ul>
 *
 * <p><b>Supported operators</b> (default domain): Conv, ConvTranspose (2-D, group 1; pads, auto_pad, strides,
 * dilations, output_padding), MaxPool (2-D, dilation 1; ceil_mode only where it equals SAME), BatchNormalization
 * (inference form, on images or [N,F]), Gemm (transA 0), MatMul with a constant [In,Out] weight (+ Add of a constant
 * bias), Flatten (axis 1), Reshape with a constant shape (to [N,F] or from [N,F] to an image; the shape may be
 * computed by Shape/Gather/Unsqueeze/Squeeze/Concat/Cast on constants, as torch writes {@code x.view(x.size(0), -1)}),
 * Transpose (the NHWC/NCHW relabellings above), Relu, LeakyRelu, Sigmoid, Tanh, Clip(0, inf) (= ReLU), Add/Sub of two
 * tensors of the same shape, Add/Sub/Mul/Div by a scalar constant (Mul then Add become one Scale), Dropout,
 * Identity and Constant. A Relu/LeakyRelu/Sigmoid/Tanh/Clip that is the only consumer of a Conv, ConvTranspose, Gemm
 * or MatMul is fused into that layer. Not supported: grouped/depthwise convolutions, per-channel constant Mul/Add,
 * Clip bounds other than (0, inf) (ReLU6 has no Hush activation), pooling other than MaxPool, broadcasting.
 *
 * <p>Anything else fails with one {@link OnnxException} whose message lists every unsupported node (op type and
 * name) and attribute, not only the first.
 */
public final class OnnxImporter {
    public static final int MIN_OPSET = 11;
    public static final int MAX_OPSET = 18;
    /** Image size used when the ONNX input has symbolic height/width and none is given. */
    public static final int DEFAULT_SPATIAL = 64;

    private OnnxImporter() {}

    /** Reads an ONNX file. */
    public static Model read(Path file) throws IOException {
        return read(file, 0, 0);
    }

    /**
     * Reads an ONNX file; {@code h, w} (if > 0) give the build-time input size for models whose input height and width
     * are symbolic (fully convolutional models take any size afterwards anyway).
     */
    public static Model read(Path file, int h, int w) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return read(bytes, file.getFileName().toString(), h, w);
    }

    public static Model read(byte[] bytes, String source, int h, int w) throws OnnxException {
        ModelProto m;
        try {
            m = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException(source + ": not an ONNX model (" + e.getMessage() + ")", e);
        }
        if (!m.hasGraph() || m.getGraph().getNodeCount() == 0) {
            throw new OnnxException(source + ": not an ONNX model (no graph)");
        }
        return new Translation(m, source, h, w).run();
    }

    /** Converts a parsed ONNX model. */
    public static Model convert(ModelProto m, String source) throws OnnxException {
        return new Translation(m, source, 0, 0).run();
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** How an ONNX value's view relates to the Hush (NHWC) memory of its node. */
    enum Layout { NCHW, NHWC, FLAT }

    /**
     * A Dense layer whose output column order may still be chosen: a following Reshape to an NCHW image sets
     * {@code outPerm} so that Hush's memory order is the order the image needs.
     */
    static final class DenseOut {
        int[] outPerm; // onnx output column k -> Hush output index; null = identity
        boolean fixed;
    }

    /**
     * A translated ONNX value: Hush node, layout, and for features the permutation {@code perm[j]} = Hush index of
     * ONNX feature j (null = identity); {@code free} is the Dense whose output order may still change, if any.
     */
    record Val(int node, Layout layout, int[] perm, DenseOut free) {}

    private static final int[] TO_NCHW = {0, 3, 1, 2};
    private static final int[] TO_NHWC = {0, 2, 3, 1};

    static final class Translation {
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
        final List<Runnable> setters = new ArrayList<>();
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
                        translate(n);
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
                List<NodeProto> cs = consumers.getOrDefault(inputName, List.of());
                boolean nhwc = !cs.isEmpty();
                for (NodeProto c : cs) nhwc &= c.getOpType().equals("Transpose") && Arrays.equals(ints(c, "perm", null), TO_NCHW);
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

        // ---- static checks: op types and attributes, done for every node ----

        static final Map<String, Set<String>> ATTRS = new HashMap<>();

        static {
            ATTRS.put("Conv", Set.of("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"));
            ATTRS.put("ConvTranspose", Set.of("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides",
                    "output_padding"));
            ATTRS.put("MaxPool", Set.of("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "strides",
                    "storage_order"));
            ATTRS.put("BatchNormalization", Set.of("epsilon", "momentum", "training_mode", "spatial"));
            ATTRS.put("Gemm", Set.of("alpha", "beta", "transA", "transB"));
            ATTRS.put("MatMul", Set.of());
            ATTRS.put("Flatten", Set.of("axis"));
            ATTRS.put("Reshape", Set.of("allowzero"));
            ATTRS.put("Transpose", Set.of("perm"));
            ATTRS.put("Relu", Set.of());
            ATTRS.put("LeakyRelu", Set.of("alpha"));
            ATTRS.put("Sigmoid", Set.of());
            ATTRS.put("Tanh", Set.of());
            ATTRS.put("Clip", Set.of("min", "max"));
            ATTRS.put("Add", Set.of());
            ATTRS.put("Sub", Set.of());
            ATTRS.put("Mul", Set.of());
            ATTRS.put("Div", Set.of());
            ATTRS.put("Dropout", Set.of("ratio", "seed"));
            ATTRS.put("Identity", Set.of());
            ATTRS.put("Constant", Set.of("value", "value_float", "value_floats", "value_int", "value_ints"));
            // shape arithmetic on constants, as torch writes x.view(x.size(0), ...): folded at import
            ATTRS.put("Shape", Set.of("start", "end"));
            ATTRS.put("Gather", Set.of("axis"));
            ATTRS.put("Unsqueeze", Set.of("axes"));
            ATTRS.put("Squeeze", Set.of("axes"));
            ATTRS.put("Concat", Set.of("axis"));
            ATTRS.put("Cast", Set.of("to"));
        }

        void checkStatic(NodeProto n) {
            String op = n.getOpType();
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                problem(n, "operator from domain '" + n.getDomain() + "' is not supported");
                return;
            }
            Set<String> known = ATTRS.get(op);
            if (known == null) {
                problem(n, "unsupported operator");
                return;
            }
            for (AttributeProto a : n.getAttributeList()) {
                if (!known.contains(a.getName())) problem(n, "unsupported attribute " + a.getName() + "=" + show(a));
            }
            switch (op) {
                case "Conv", "ConvTranspose" -> {
                    long group = i(n, "group", 1);
                    if (group != 1) problem(n, "group=" + group + " is not supported (grouped/depthwise convolution)");
                    String ap = s(n, "auto_pad", "NOTSET");
                    if (!Set.of("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER").contains(ap)) problem(n, "auto_pad=" + ap);
                    checkLen2(n, "strides", "dilations", "kernel_shape", "output_padding");
                    checkLen4(n, "pads");
                }
                case "MaxPool" -> {
                    int[] dil = ints(n, "dilations", null);
                    if (dil != null && Arrays.stream(dil).anyMatch(x -> x != 1)) {
                        problem(n, "dilations=" + Arrays.toString(dil) + " is not supported for MaxPool");
                    }
                    if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() && consumers.containsKey(n.getOutput(1))) {
                        problem(n, "the Indices output is not supported");
                    }
                    String ap = s(n, "auto_pad", "NOTSET");
                    if (!Set.of("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER").contains(ap)) problem(n, "auto_pad=" + ap);
                    checkLen2(n, "strides", "kernel_shape");
                    checkLen4(n, "pads");
                    if (ints(n, "kernel_shape", null) == null) problem(n, "kernel_shape is missing");
                }
                case "BatchNormalization" -> {
                    if (i(n, "training_mode", 0) != 0) problem(n, "training_mode=1 is not supported (export in eval mode)");
                    for (int k = 1; k < n.getOutputCount(); k++) {
                        if (!n.getOutput(k).isEmpty() && consumers.containsKey(n.getOutput(k))) {
                            problem(n, "training outputs (running mean/var) are not supported");
                        }
                    }
                }
                case "Gemm" -> {
                    if (i(n, "transA", 0) != 0) problem(n, "transA=1 is not supported");
                }
                case "Flatten" -> {
                    long axis = i(n, "axis", 1);
                    if (axis != 1) problem(n, "axis=" + axis + " is not supported (only axis=1, keeping the batch)");
                }
                case "Dropout" -> {
                    if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() && consumers.containsKey(n.getOutput(1))) {
                        problem(n, "the mask output is not supported");
                    }
                }
                case "LeakyRelu" -> {
                    float a = f(n, "alpha", 0.01f);
                    if (!(a >= 0f && a < 1f)) problem(n, "alpha=" + a + " is not supported (Hush LeakyReLU needs 0 <= alpha < 1)");
                }
                case "Clip" -> {
                    try {
                        activationOf(n, true);
                    } catch (OnnxException e) {
                        problem(n, e.getMessage());
                    }
                }
                case "Constant" -> {
                    if (n.getAttributeCount() != 1 || !ATTRS.get("Constant").contains(n.getAttribute(0).getName())) {
                        problem(n, "only value/value_float(s)/value_int(s) constants are supported");
                    }
                }
                default -> { }
            }
        }

        void checkLen2(NodeProto n, String... names) {
            for (String a : names) {
                int[] v = ints(n, a, null);
                if (v != null && v.length != 2) problem(n, a + "=" + Arrays.toString(v) + ": only 2-D (two values) is supported");
            }
        }

        void checkLen4(NodeProto n, String name) {
            int[] v = ints(n, name, null);
            if (v != null && v.length != 4) problem(n, name + "=" + Arrays.toString(v) + ": only 2-D (four values) is supported");
        }

        // ---- translation ----

        void translate(NodeProto n) throws OnnxException {
            switch (n.getOpType()) {
                case "Constant" -> constant(n);
                case "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast" -> ShapeFolding.fold(this, n);
                case "Identity" -> {
                    if (consts.containsKey(n.getInput(0))) consts.put(n.getOutput(0), consts.get(n.getInput(0)));
                    else alias(n, in(n, 0));
                }
                case "Conv" -> conv(n);
                case "ConvTranspose" -> convTranspose(n);
                case "MaxPool" -> maxPool(n);
                case "BatchNormalization" -> batchNorm(n);
                case "Gemm" -> gemm(n);
                case "MatMul" -> matMul(n);
                case "Flatten" -> flatten(n, in(n, 0));
                case "Reshape" -> reshape(n);
                case "Transpose" -> transpose(n);
                case "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip" -> activation(n);
                case "Add", "Sub", "Mul", "Div" -> arithmetic(n);
                case "Dropout" -> dropout(n);
                default -> problem(n, "unsupported operator");
            }
        }

        void constant(NodeProto n) throws OnnxException {
            AttributeProto a = n.getAttribute(0);
            String out = n.getOutput(0);
            TensorProto t = switch (a.getName()) {
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
            consts.put(out, t);
        }

        void conv(NodeProto n) throws OnnxException {
            Val x = image(n, in(n, 0));
            if (x == null) return;
            TensorProto wt = constTensor(n, 1, "weight");
            if (wt == null) return;
            long[] wd = OnnxTensors.dims(wt);
            Shape xs = b.shape(x.node());
            int cin = xs.dim(2);
            if (wd.length != 4 || wd[1] != cin) {
                problem(n, "weight " + Arrays.toString(wd) + " does not fit a 2-D convolution of " + cin + " channels [Cout,Cin,KH,KW]");
                return;
            }
            int cout = (int) wd[0], kh = (int) wd[2], kw = (int) wd[3];
            if (!kernelShapeMatches(n, kh, kw)) return;
            float[] w = OnnxTensors.floats(wt);
            float[] bias = optionalBias(n, 2, cout);
            if (bias == NO_BIAS_ERROR) return;
            int[] st = ints(n, "strides", new int[] {1, 1});
            int[] dil = ints(n, "dilations", new int[] {1, 1});
            int[] pads = ints(n, "pads", new int[4]); // ONNX: top, left, bottom, right
            String ap = s(n, "auto_pad", "NOTSET");
            int effH = (kh - 1) * dil[0] + 1, effW = (kw - 1) * dil[1] + 1;
            Padding mode = null;
            switch (ap) {
                case "SAME_UPPER" -> mode = Padding.SAME;
                case "VALID" -> mode = Padding.VALID;
                case "SAME_LOWER" -> {
                    if (st[0] == 1 && st[1] == 1 && effH % 2 == 1 && effW % 2 == 1) mode = Padding.SAME;
                    else {
                        problem(n, "auto_pad=SAME_LOWER with strides " + Arrays.toString(st) + " (padding that depends"
                                + " on the input size, extra at the start) is not supported");
                        return;
                    }
                }
                default -> {
                    if (Arrays.stream(pads).allMatch(p -> p == 0)) mode = Padding.VALID;
                    else if (sameForAnySize(st, effH, effW, pads)) mode = Padding.SAME;
                }
            }
            Fused fused = fusedActivation(n.getOutput(0));
            boolean useBias = bias != null;
            Conv2D conv = mode != null
                    ? new Conv2D(cout, kh, kw, st[0], st[1], mode, dil[0], dil[1], useBias, fused.act)
                    : Conv2D.withPads(cout, kh, kw, st[0], st[1], pads[0], pads[2], pads[1], pads[3], dil[0], dil[1],
                    useBias, fused.act);
            int id = add(conv.name(layerName(n)), x.node());
            setters.add(() -> {
                conv.kernel().value.copyFrom(Layouts.oihwToHwio(w, cout, cin, kh, kw));
                if (useBias) conv.bias().value.copyFrom(bias);
            });
            define(fused.output(n), new Val(id, Layout.NCHW, null, null));
        }

        void convTranspose(NodeProto n) throws OnnxException {
            Val x = image(n, in(n, 0));
            if (x == null) return;
            TensorProto wt = constTensor(n, 1, "weight");
            if (wt == null) return;
            long[] wd = OnnxTensors.dims(wt);
            Shape xs = b.shape(x.node());
            int cin = xs.dim(2);
            if (wd.length != 4 || wd[0] != cin) {
                problem(n, "weight " + Arrays.toString(wd) + " does not fit a 2-D transposed convolution of " + cin
                        + " channels [Cin,Cout,KH,KW]");
                return;
            }
            int cout = (int) wd[1], kh = (int) wd[2], kw = (int) wd[3];
            if (!kernelShapeMatches(n, kh, kw)) return;
            float[] w = OnnxTensors.floats(wt);
            float[] bias = optionalBias(n, 2, cout);
            if (bias == NO_BIAS_ERROR) return;
            int[] st = ints(n, "strides", new int[] {1, 1});
            int[] dil = ints(n, "dilations", new int[] {1, 1});
            int[] pads = ints(n, "pads", new int[4]);
            int[] op = ints(n, "output_padding", new int[2]);
            String ap = s(n, "auto_pad", "NOTSET");
            if (ap.equals("VALID")) pads = new int[4];
            if (ap.startsWith("SAME")) {
                // output = input * stride; the crop eff + op - s does not depend on the input size. SAME_UPPER puts
                // the smaller half first (TensorFlow/Keras "same"), SAME_LOWER the larger, as ONNX Runtime does.
                int[] k = {kh, kw};
                for (int a = 0; a < 2; a++) {
                    int total = (k[a] - 1) * dil[a] + 1 + op[a] - st[a];
                    if (total < 0) {
                        problem(n, "auto_pad=" + ap + " with a kernel smaller than the stride is not supported");
                        return;
                    }
                    int small = total / 2;
                    pads[a] = ap.equals("SAME_UPPER") ? small : total - small;
                    pads[a + 2] = total - pads[a];
                }
            }
            Fused fused = fusedActivation(n.getOutput(0));
            boolean useBias = bias != null;
            Conv2DTranspose ct = Conv2DTranspose.withPads(cout, kh, kw, st[0], st[1], pads[0], pads[2], pads[1],
                    pads[3], op[0], op[1], dil[0], dil[1], useBias, fused.act);
            int id = add(ct.name(layerName(n)), x.node());
            setters.add(() -> {
                ct.kernel().value.copyFrom(Layouts.onnxConvTransposeToHush(w, cin, cout, kh, kw));
                if (useBias) ct.bias().value.copyFrom(bias);
            });
            define(fused.output(n), new Val(id, Layout.NCHW, null, null));
        }

        void maxPool(NodeProto n) {
            Val x = image(n, in(n, 0));
            if (x == null) return;
            int[] k = ints(n, "kernel_shape", null);
            int[] st = ints(n, "strides", new int[] {1, 1});
            int[] pads = ints(n, "pads", new int[4]);
            String ap = s(n, "auto_pad", "NOTSET");
            boolean ceil = i(n, "ceil_mode", 0) != 0;
            MaxPool2D pool;
            if (ap.equals("SAME_UPPER")) {
                pool = new MaxPool2D(k[0], k[1], st[0], st[1], Padding.SAME);
            } else if (ap.equals("VALID")) {
                pool = new MaxPool2D(k[0], k[1], st[0], st[1], Padding.VALID);
            } else if (ap.equals("SAME_LOWER")) {
                if (st[0] == 1 && st[1] == 1 && k[0] % 2 == 1 && k[1] % 2 == 1) {
                    pool = new MaxPool2D(k[0], k[1], 1, 1, Padding.SAME);
                } else {
                    problem(n, "auto_pad=SAME_LOWER with strides " + Arrays.toString(st) + " is not supported");
                    return;
                }
            } else if (ceil) {
                // ceil_mode adds a last, partial window; with zero pads and pool == stride <= 2 that is exactly
                // TensorFlow SAME (which pads at the end only, never at the start, for strides <= 2).
                boolean zero = Arrays.stream(pads).allMatch(p -> p == 0);
                if (zero && k[0] == st[0] && k[1] == st[1] && st[0] <= 2 && st[1] <= 2) {
                    pool = new MaxPool2D(k[0], k[1], st[0], st[1], Padding.SAME);
                } else {
                    problem(n, "ceil_mode=1 is only supported with zero pads and kernel == stride <= 2 (got kernel "
                            + Arrays.toString(k) + ", strides " + Arrays.toString(st) + ", pads " + Arrays.toString(pads) + ")");
                    return;
                }
            } else if (Arrays.stream(pads).allMatch(p -> p == 0)) {
                pool = new MaxPool2D(k[0], k[1], st[0], st[1], Padding.VALID);
            } else {
                pool = MaxPool2D.explicit(k[0], k[1], st[0], st[1], pads[0], pads[1], pads[2], pads[3]);
            }
            int id = add(pool.name(layerName(n)), x.node());
            define(n.getOutput(0), new Val(id, Layout.NCHW, null, null));
        }

        void batchNorm(NodeProto n) throws OnnxException {
            Val x = in(n, 0);
            if (x == null) return;
            if (x.layout() == Layout.NHWC) {
                problem(n, "normalises axis 1, which is H of this NHWC value " + Arrays.toString(onnxDims(x)));
                return;
            }
            int c = b.shape(x.node()).dim(-1); // channels of an image, or features [N,F] (BatchNorm1d)
            float[][] p = new float[4][];
            String[] what = {"scale", "B", "mean", "var"};
            for (int k = 0; k < 4; k++) {
                TensorProto t = constTensor(n, k + 1, what[k]);
                if (t == null) return;
                p[k] = OnnxTensors.floats(t);
                if (p[k].length != c) {
                    problem(n, what[k] + " has " + p[k].length + " values for " + c + " channels");
                    return;
                }
                if (x.perm() != null) { // features in Hush order
                    float[] h = new float[c];
                    for (int j = 0; j < c; j++) h[x.perm()[j]] = p[k][j];
                    p[k] = h;
                }
            }
            float eps = f(n, "epsilon", 1e-5f);
            float momentum = f(n, "momentum", 0.9f);
            BatchNorm2D bn = new BatchNorm2D(momentum, eps);
            int id = add(bn.name(layerName(n)), x.node());
            setters.add(() -> {
                param(bn, "gamma").value.copyFrom(p[0]);
                param(bn, "beta").value.copyFrom(p[1]);
                param(bn, "moving_mean").value.copyFrom(p[2]);
                param(bn, "moving_variance").value.copyFrom(p[3]);
            });
            define(n.getOutput(0), new Val(id, x.layout(), x.perm(), null));
        }

        void gemm(NodeProto n) throws OnnxException {
            Val x = features(n, in(n, 0));
            if (x == null) return;
            TensorProto bt = constTensor(n, 1, "B");
            if (bt == null) return;
            long[] bd = OnnxTensors.dims(bt);
            boolean transB = i(n, "transB", 0) != 0;
            int f = b.shape(x.node()).dim(0);
            if (bd.length != 2 || bd[transB ? 1 : 0] != f) {
                problem(n, "B " + Arrays.toString(bd) + (transB ? " (transB=1)" : "") + " does not fit " + f + " input features");
                return;
            }
            int out = (int) bd[transB ? 0 : 1];
            float alpha = f(n, "alpha", 1f), beta = f(n, "beta", 1f);
            float[] raw = OnnxTensors.floats(bt);
            float[] w = new float[f * out]; // [In,Out]
            for (int r = 0; r < f; r++) {
                for (int c = 0; c < out; c++) w[r * out + c] = alpha * (transB ? raw[c * f + r] : raw[r * out + c]);
            }
            float[] bias = null;
            if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                TensorProto ct = constTensor(n, 2, "C");
                if (ct == null) return;
                float[] cv = OnnxTensors.floats(ct);
                bias = new float[out];
                if (cv.length == out) for (int c = 0; c < out; c++) bias[c] = beta * cv[c];
                else if (cv.length == 1) Arrays.fill(bias, beta * cv[0]);
                else {
                    problem(n, "C " + Arrays.toString(OnnxTensors.dims(ct)) + " is not a bias of " + out + " values");
                    return;
                }
            }
            dense(n, x, w, f, out, bias, n.getOutput(0));
        }

        void matMul(NodeProto n) throws OnnxException {
            Val x = features(n, in(n, 0));
            if (x == null) return;
            TensorProto bt = constTensor(n, 1, "B");
            if (bt == null) return;
            long[] bd = OnnxTensors.dims(bt);
            int f = b.shape(x.node()).dim(0);
            if (bd.length != 2 || bd[0] != f) {
                problem(n, "B " + Arrays.toString(bd) + " does not fit " + f + " input features ([In,Out] expected)");
                return;
            }
            int out = (int) bd[1];
            float[] w = OnnxTensors.floats(bt);
            float[] bias = null;
            String result = n.getOutput(0);
            // MatMul + Add(constant bias) is one Dense (what tf2onnx writes for Keras Dense, and torch for x @ W + b)
            List<NodeProto> cs = consumers.getOrDefault(result, List.of());
            if (cs.size() == 1 && !graphOutputs.contains(result) && cs.get(0).getOpType().equals("Add")) {
                NodeProto add = cs.get(0);
                String other = add.getInput(0).equals(result) ? add.getInput(1) : add.getInput(0);
                TensorProto bt2 = consts.get(other);
                if (bt2 != null && add.getAttributeCount() == 0) {
                    float[] bv = OnnxTensors.floats(bt2);
                    long[] d = OnnxTensors.dims(bt2);
                    boolean isRow = bv.length == out && (d.length == 1 || d.length == 2 && d[0] == 1);
                    if (isRow) {
                        bias = bv;
                        done.add(add);
                        result = add.getOutput(0);
                    }
                }
            }
            dense(n, x, w, f, out, bias, result);
        }

        /** A Dense from a weight in ONNX row order [In,Out]; rows are permuted to the input's Hush feature order. */
        void dense(NodeProto n, Val x, float[] w, int in, int out, float[] bias, String result) {
            Fused fused = fusedActivation(result);
            boolean useBias = bias != null;
            Dense d = new Dense(out, fused.act, useBias);
            int id = add(d.name(layerName(n)), x.node());
            DenseOut free = new DenseOut();
            int[] inPerm = x.perm();
            setters.add(() -> {
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
            define(fused.output(n, result), new Val(id, Layout.FLAT, null, free));
        }

        void flatten(NodeProto n, Val x) {
            if (x == null) return;
            define(n.getOutput(0), flattened(n, x));
        }

        Val flattened(NodeProto n, Val x) {
            if (x.layout() == Layout.FLAT) return x;
            Shape s = b.shape(x.node());
            int id = add(new Flatten().name(layerName(n)), x.node());
            int[] perm = x.layout() == Layout.NCHW ? Layouts.chwToHwc(s.dim(2), s.dim(0), s.dim(1)) : null;
            return new Val(id, Layout.FLAT, perm, null);
        }

        void reshape(NodeProto n) throws OnnxException {
            Val x = in(n, 0);
            if (x == null) return;
            TensorProto shapeT = n.getInputCount() > 1 ? consts.get(n.getInput(1)) : null;
            if (shapeT == null) {
                problem(n, "the shape must be a constant (initializer, Constant, or shape arithmetic on constants)");
                return;
            }
            long[] t = OnnxTensors.longs(shapeT);
            int[] d = onnxDims(x); // per-sample ONNX dims
            long size = 1;
            for (int v : d) size *= v;
            boolean allowZero = i(n, "allowzero", 0) != 0;
            if (t.length < 2) {
                problem(n, "shape " + shapeText(t) + " drops the batch dimension");
                return;
            }
            // per-sample target: entry 0 is the batch (0, -1 or a fixed export-time batch size)
            long[] per = new long[t.length - 1];
            int infer = -1;
            long known = 1;
            for (int k = 1; k < t.length; k++) {
                long v = t[k];
                if (v == 0 && !allowZero) {
                    if (k - 1 >= d.length) {
                        problem(n, "shape " + shapeText(t) + " copies a dimension the input does not have");
                        return;
                    }
                    v = d[k - 1];
                }
                if (v == -1) {
                    if (infer >= 0 || t[0] == -1) {
                        problem(n, "shape " + shapeText(t) + " has more than one -1 (the batch is dimension 0)");
                        return;
                    }
                    infer = k - 1;
                } else if (v == ShapeFolding.BATCH) {
                    problem(n, "the batch size is used as dimension " + k + " of the shape (only dimension 0 may be)");
                    return;
                } else if (v <= 0) {
                    problem(n, "shape " + shapeText(t) + " is not supported");
                    return;
                } else {
                    known *= v;
                }
                per[k - 1] = v;
            }
            if (infer >= 0) {
                if (known == 0 || size % known != 0) {
                    problem(n, "cannot reshape " + Arrays.toString(d) + " per sample to " + shapeText(t));
                    return;
                }
                per[infer] = size / known;
                known = size;
            }
            if (known != size) {
                problem(n, "shape " + shapeText(t) + " changes the batch size (per-sample " + Arrays.toString(d)
                        + " has " + size + " values); Hush reshapes each sample");
                return;
            }
            int[] target = Arrays.stream(per).mapToInt(v -> (int) v).toArray();
            if (Arrays.equals(target, d)) {
                alias(n, x);
            } else if (target.length == 1) {
                define(n.getOutput(0), flattened(n, x));
            } else if (target.length == 3 && x.layout() == Layout.FLAT) {
                boolean nhwc = allConsumersTranspose(n.getOutput(0), TO_NCHW);
                int[] hush = nhwc ? target : new int[] {target[1], target[2], target[0]};
                int[] need = nhwc ? null : Layouts.chwToHwc(target[0], target[1], target[2]);
                if (!Arrays.equals(x.perm(), need)) {
                    if (x.free() != null && !x.free().fixed && soleReader(n.getInput(0))) {
                        x.free().outPerm = need;
                        x.free().fixed = true;
                    } else {
                        problem(n, "reshaping features to an " + (nhwc ? "NHWC" : "NCHW") + " image needs them in "
                                + (nhwc ? "(h,w,c)" : "(c,h,w)") + " order; Hush can only arrange that when a"
                                + " Gemm/MatMul produces them (directly or through activations)");
                        return;
                    }
                }
                int id = add(new Reshape(hush).name(layerName(n)), x.node());
                define(n.getOutput(0), new Val(id, nhwc ? Layout.NHWC : Layout.NCHW, null, null));
            } else {
                problem(n, "reshape " + Arrays.toString(d) + " -> " + Arrays.toString(target) + " per sample is not"
                        + " supported (only image -> [N,F] and [N,F] -> image)");
            }
        }

        /** A shape vector for messages, the folded batch size shown as N. */
        static String shapeText(long[] t) {
            StringBuilder sb = new StringBuilder("[");
            for (int k = 0; k < t.length; k++) sb.append(k == 0 ? "" : ", ").append(t[k] == ShapeFolding.BATCH ? "N" : Long.toString(t[k]));
            return sb.append(']').toString();
        }

        void transpose(NodeProto n) {
            Val x = in(n, 0);
            if (x == null) return;
            int[] perm = ints(n, "perm", null);
            int rank = x.layout() == Layout.FLAT ? 2 : 4;
            int[] identity = new int[rank];
            for (int k = 0; k < rank; k++) identity[k] = k;
            if (perm == null) {
                perm = new int[rank];
                for (int k = 0; k < rank; k++) perm[k] = rank - 1 - k;
            }
            if (Arrays.equals(perm, identity)) alias(n, x);
            else if (x.layout() == Layout.NHWC && Arrays.equals(perm, TO_NCHW)) alias(n, relayout(x, Layout.NCHW));
            else if (x.layout() == Layout.NCHW && Arrays.equals(perm, TO_NHWC)) alias(n, relayout(x, Layout.NHWC));
            else {
                problem(n, "perm=" + Arrays.toString(perm) + " on a " + x.layout() + " value is not supported (only the"
                        + " NHWC<->NCHW transposes tf2onnx puts around convolutions)");
            }
        }

        void activation(NodeProto n) throws OnnxException {
            Val x = in(n, 0);
            if (x == null) return;
            Activation a = activationOf(n, false); // checkStatic reported unsupported bounds
            if (a == null) return;
            if (a == Activation.LINEAR) {
                alias(n, x);
                return;
            }
            int id = add(new ActivationLayer(a).name(layerName(n)), x.node());
            define(n.getOutput(0), pointwise(n.getInput(0), x, id));
        }

        void dropout(NodeProto n) throws OnnxException {
            Val x = in(n, 0);
            if (x == null) return;
            float rate = f(n, "ratio", 0.5f);
            if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
                TensorProto r = consts.get(n.getInput(1));
                if (r == null) {
                    problem(n, "the ratio must be a constant");
                    return;
                }
                rate = OnnxTensors.floats(r)[0];
            }
            if (rate == 0f) {
                alias(n, x);
                return;
            }
            int id = add(new Dropout(rate).name(layerName(n)), x.node());
            define(n.getOutput(0), pointwise(n.getInput(0), x, id));
        }

        void arithmetic(NodeProto n) throws OnnxException {
            String op = n.getOpType();
            String a = n.getInput(0), c = n.getInput(1);
            boolean ca = consts.containsKey(a), cc = consts.containsKey(c);
            if (ca && cc) {
                problem(n, "both inputs are constants (fold them before export)");
                return;
            }
            if (!ca && !cc) {
                Val x = in(n, 0), y = in(n, 1);
                if (x == null || y == null) return;
                if (!op.equals("Add") && !op.equals("Sub")) {
                    problem(n, op + " of two tensors is not supported (only Add and Sub)");
                    return;
                }
                if (x.layout() != y.layout() || !b.shape(x.node()).equals(b.shape(y.node()))
                        || !Arrays.equals(x.perm(), y.perm())) {
                    problem(n, "inputs differ in shape or layout (" + Arrays.toString(onnxDims(x)) + " " + x.layout()
                            + " vs " + Arrays.toString(onnxDims(y)) + " " + y.layout() + "); broadcasting is not supported");
                    return;
                }
                Layer l = op.equals("Add") ? new Add() : new Subtract();
                int id = add(l.name(layerName(n)), x.node(), y.node());
                define(n.getOutput(0), new Val(id, x.layout(), x.perm(), null));
                return;
            }
            Val x = in(n, ca ? 1 : 0);
            if (x == null) return;
            float[] k = OnnxTensors.floats(consts.get(ca ? a : c));
            boolean uniform = k.length >= 1;
            for (float v : k) uniform &= v == k[0];
            if (!uniform) {
                problem(n, op + " by a constant of shape " + Arrays.toString(OnnxTensors.dims(consts.get(ca ? a : c)))
                        + " is not supported (only scalar constants; per-channel scale/shift has no Hush layer)");
                return;
            }
            float v = k[0];
            Scale s = switch (op) {
                case "Add" -> new Scale(1f, v);
                case "Sub" -> ca ? new Scale(-1f, v) : new Scale(1f, -v);
                case "Mul" -> new Scale(v);
                default -> ca ? null : new Scale(1f / v);
            };
            if (s == null) {
                problem(n, "constant / tensor is not supported");
                return;
            }
            String result = n.getOutput(0);
            Float offset = s.offset() == 0f ? followingOffset(result) : null;
            if (offset != null) { // x * m + c: one Scale, as the exporter writes it (rounding is the same)
                s = new Scale(s.multiplier(), offset);
                result = consumers.get(result).get(0).getOutput(0);
            }
            int id = add(s.name(layerName(n)), x.node());
            define(result, pointwise(n.getInput(ca ? 1 : 0), x, id));
        }

        /**
         * If the only reader of {@code value} is {@code value + c} or {@code value - c} with a scalar constant c, marks
         * it done and returns its offset (c or -c).
         */
        Float followingOffset(String value) throws OnnxException {
            if (!soleReader(value)) return null;
            NodeProto c = consumers.get(value).get(0);
            boolean add = c.getOpType().equals("Add"), sub = c.getOpType().equals("Sub");
            if (!add && !sub || c.getInputCount() != 2 || c.getAttributeCount() != 0) return null;
            boolean first = c.getInput(0).equals(value);
            String other = first ? c.getInput(1) : c.getInput(0);
            TensorProto t = consts.get(other);
            if (t == null || sub && !first || OnnxTensors.size(OnnxTensors.dims(t)) != 1) return null;
            float v = OnnxTensors.floats(t)[0];
            done.add(c);
            return sub ? -v : v;
        }

        // ---- helpers ----

        record Fused(Activation act, NodeProto node) {
            String output(NodeProto n) { return output(n, n.getOutput(0)); }

            String output(NodeProto n, String own) { return node == null ? own : node.getOutput(0); }
        }

        /** The activation that is the only consumer of {@code value}, fused into its producer (marked done). */
        Fused fusedActivation(String value) {
            List<NodeProto> cs = consumers.getOrDefault(value, List.of());
            if (cs.size() != 1 || graphOutputs.contains(value)) return new Fused(Activation.LINEAR, null);
            NodeProto c = cs.get(0);
            if (!Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip").contains(c.getOpType())) {
                return new Fused(Activation.LINEAR, null);
            }
            int before = problems.size();
            checkStatic(c);
            if (problems.size() != before) {
                problems.subList(before, problems.size()).clear(); // reported when the loop reaches it
                return new Fused(Activation.LINEAR, null);
            }
            Activation a;
            try {
                a = activationOf(c, false);
            } catch (OnnxException e) {
                a = null;
            }
            if (a == null) return new Fused(Activation.LINEAR, null);
            done.add(c);
            return new Fused(a, c);
        }

        /** The Hush activation of an activation node, or null (after recording a problem if {@code report}). */
        Activation activationOf(NodeProto n, boolean report) throws OnnxException {
            return switch (n.getOpType()) {
                case "Relu" -> Activation.RELU;
                case "LeakyRelu" -> Activation.leakyRelu(f(n, "alpha", 0.01f));
                case "Sigmoid" -> Activation.SIGMOID;
                case "Tanh" -> Activation.TANH;
                case "Clip" -> {
                    float lo = f(n, "min", Float.NEGATIVE_INFINITY), hi = f(n, "max", Float.POSITIVE_INFINITY);
                    if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
                        TensorProto t = consts.get(n.getInput(1));
                        if (t == null) {
                            if (report) problem(n, "min must be a constant");
                            yield null;
                        }
                        lo = OnnxTensors.floats(t)[0];
                    }
                    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                        TensorProto t = consts.get(n.getInput(2));
                        if (t == null) {
                            if (report) problem(n, "max must be a constant");
                            yield null;
                        }
                        hi = OnnxTensors.floats(t)[0];
                    }
                    if (lo == 0f && hi == Float.POSITIVE_INFINITY) yield Activation.RELU;
                    if (lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY) yield Activation.LINEAR;
                    if (report) {
                        problem(n, "Clip(" + lo + ", " + hi + ") is not supported: only Clip(0, inf) (= ReLU);"
                                + (lo == 0f && hi == 6f ? " ReLU6 has" : " other bounds have") + " no Hush activation");
                    }
                    yield null;
                }
                default -> null;
            };
        }

        /** A pointwise layer's output on x (ONNX name {@code in}): same layout; the Dense stays free if sole reader. */
        Val pointwise(String in, Val x, int id) {
            return new Val(id, x.layout(), x.perm(), soleReader(in) ? x.free() : null);
        }

        boolean soleReader(String value) {
            return consumers.getOrDefault(value, List.of()).size() == 1 && !graphOutputs.contains(value);
        }

        Val relayout(Val x, Layout l) {
            return new Val(x.node(), l, x.perm(), x.free());
        }

        boolean allConsumersTranspose(String value, int[] perm) {
            List<NodeProto> cs = consumers.getOrDefault(value, List.of());
            if (cs.isEmpty()) return false;
            for (NodeProto c : cs) {
                if (!c.getOpType().equals("Transpose") || !Arrays.equals(ints(c, "perm", null), perm)) return false;
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

        static final float[] NO_BIAS_ERROR = new float[0];

        float[] optionalBias(NodeProto n, int idx, int count) throws OnnxException {
            if (n.getInputCount() <= idx || n.getInput(idx).isEmpty()) return null;
            TensorProto t = constTensor(n, idx, "bias");
            if (t == null) return NO_BIAS_ERROR;
            float[] v = OnnxTensors.floats(t);
            if (v.length != count) {
                problem(n, "bias has " + v.length + " values for " + count + " output channels");
                return NO_BIAS_ERROR;
            }
            return v;
        }

        boolean kernelShapeMatches(NodeProto n, int kh, int kw) {
            int[] ks = ints(n, "kernel_shape", null);
            if (ks != null && (ks[0] != kh || ks[1] != kw)) {
                problem(n, "kernel_shape=" + Arrays.toString(ks) + " does not match the weight (" + kh + "x" + kw + ")");
                return false;
            }
            return true;
        }

        /** Explicit pads that equal TensorFlow SAME for every input size: stride 1, the smaller half first. */
        static boolean sameForAnySize(int[] st, int effH, int effW, int[] pads) {
            return st[0] == 1 && st[1] == 1
                    && pads[0] == (effH - 1) / 2 && pads[2] == effH - 1 - (effH - 1) / 2
                    && pads[1] == (effW - 1) / 2 && pads[3] == effW - 1 - (effW - 1) / 2;
        }

        TensorProto constTensor(NodeProto n, int idx, String what) {
            if (n.getInputCount() <= idx || n.getInput(idx).isEmpty()) {
                problem(n, what + " input is missing");
                return null;
            }
            TensorProto t = consts.get(n.getInput(idx));
            if (t == null) problem(n, what + " '" + n.getInput(idx) + "' must be a constant (initializer)");
            return t;
        }

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

        int add(Layer l, int... inputs) {
            b.add(l, inputs);
            return b.current();
        }

        void problem(NodeProto n, String what) {
            problems.add(where(n) + ": " + what);
        }

        static String where(NodeProto n) {
            String name = n.getName().isEmpty() ? "(unnamed, output " + (n.getOutputCount() > 0 ? n.getOutput(0) : "?") + ")"
                    : "'" + n.getName() + "'";
            return n.getOpType() + " " + name;
        }

        final Set<String> layerNames = new HashSet<>();

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

    // ---- attribute access ----

    static AttributeProto attr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    static int[] ints(NodeProto n, String name, int[] dflt) {
        AttributeProto a = attr(n, name);
        if (a == null) return dflt;
        int[] v = new int[a.getIntsCount()];
        for (int k = 0; k < v.length; k++) v[k] = Math.toIntExact(a.getInts(k));
        return v;
    }

    static long i(NodeProto n, String name, long dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getI();
    }

    static float f(NodeProto n, String name, float dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getF();
    }

    static String s(NodeProto n, String name, String dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    static String show(AttributeProto a) {
        return switch (a.getType()) {
            case FLOAT -> Float.toString(a.getF());
            case INT -> Long.toString(a.getI());
            case STRING -> a.getS().toStringUtf8();
            case INTS -> a.getIntsList().toString();
            case FLOATS -> a.getFloatsList().toString();
            default -> a.getType().name().toLowerCase();
        };
    }
}
