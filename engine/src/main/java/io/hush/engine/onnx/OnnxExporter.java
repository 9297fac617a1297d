package io.hush.engine.onnx;

import com.google.protobuf.ByteString;
import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.ShapeException;
import io.hush.engine.graph.Node;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.ActivationLayer;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.AveragePool2D;
import io.hush.engine.layers.Concatenate;
import io.hush.engine.layers.Cropping2D;
import io.hush.engine.layers.CustomLayer;
import io.hush.engine.layers.Elu;
import io.hush.engine.layers.GlobalAveragePool2D;
import io.hush.engine.layers.Multiply;
import io.hush.engine.layers.Softmax;
import io.hush.engine.layers.UpSampling2D;
import io.hush.engine.layers.ZeroPadding2D;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.ConvLayer;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Dropout;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Pad;
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
import io.hush.engine.onnx.proto.Onnx.TypeProto;
import io.hush.engine.onnx.proto.Onnx.ValueInfoProto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.hush.engine.onnx.Attributes.attr;
import static io.hush.engine.onnx.Attributes.ints;
import static io.hush.engine.onnx.Attributes.str;

/**
 * Exports a Hush {@link Model} as an ONNX model (opset {@value #DEFAULT_OPSET} by default, 13 to 18 accepted) with
 * the usual NCHW interface: input {@code "input"} {@code [N,C,H,W]} (or {@code [N,F]}), output {@code "output"}
 * NCHW for an image. Batch, and height/width when the model accepts other image sizes, are symbolic.
 *
 * <p>Layers map to Conv, ConvTranspose, MaxPool, Gemm, BatchNormalization, Relu/LeakyRelu/Sigmoid/Tanh (a fused
 * activation becomes its own node), Add, Sub, Mul/Add by scalar constants (Scale) and Identity (Dropout); the layers
 * Keras models bring map to AveragePool (count_include_pad 0), Resize (nearest: asymmetric/floor; bilinear:
 * half_pixel), Mul, Concat (channel axis), Pad (constant zeros), Slice (cropping), GlobalAveragePool (+ Flatten
 * without keep-dims), Elu and Softmax (channel axis). Hush's
 * NHWC feature order is kept exactly: a Flatten of an image is {@code Transpose(0,2,3,1)} + {@code Flatten}, and a
 * Reshape to an image is {@code Reshape([-1,H,W,C])} + {@code Transpose(0,3,1,2)}, so Dense weights are written
 * unchanged and every number matches. SAME padding is written as explicit pads where they do not depend on the
 * input size (stride 1, and always for ConvTranspose) and as {@code auto_pad=SAME_UPPER} (TensorFlow's rule:
 * the extra cell at the end) otherwise.
 */
public final class OnnxExporter {
    public static final int DEFAULT_OPSET = 17;

    private OnnxExporter() {}

    /** Writes the model to {@code file} (via a temporary file, so a failed export leaves no half file). */
    public static void write(Model model, Path file) throws IOException {
        write(model, file, DEFAULT_OPSET);
    }

    public static void write(Model model, Path file, int opset) throws IOException {
        byte[] bytes = toBytes(model, opset);
        Path abs = file.toAbsolutePath();
        // created like any new file (umask permissions), unlike Files.createTempFile's owner-only mode
        Path tmp = abs.resolveSibling(abs.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            try (OutputStream o = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                o.write(bytes);
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static byte[] toBytes(Model model, int opset) throws OnnxException {
        return toProto(model, opset).toByteArray();
    }

    public static ModelProto toProto(Model model, int opset) throws OnnxException {
        if (opset < 13 || opset > OnnxImporter.MAX_OPSET) {
            throw new OnnxException("cannot export opset " + opset + ": Hush writes opsets 13 to " + OnnxImporter.MAX_OPSET);
        }
        return new Export(model).run(opset);
    }

    private static final class Export {
        final Model model;
        final List<Node> nodes;
        final GraphProto.Builder g = GraphProto.newBuilder().setName("hush");
        final String[] names;
        final Set<String> used = new HashSet<>();
        final List<String> problems = new ArrayList<>();

        Export(Model model) {
            this.model = model;
            this.nodes = model.nodes();
            this.names = new String[nodes.size()];
        }

        ModelProto run(int opset) throws OnnxException {
            int last = nodes.size() - 1;
            names[0] = unique("input");
            for (int i = 1; i < nodes.size(); i++) names[i] = i == last ? "output" : unique(nodes.get(i).layer().name());
            used.add("output");
            boolean flexible = acceptsOtherSizes();
            g.addInput(valueInfo("input", nodes.get(0).shape(), flexible, "H", "W"));
            g.addOutput(valueInfo("output", nodes.get(last).shape(), flexible, "OH", "OW"));
            for (int i = 1; i < nodes.size(); i++) {
                Node n = nodes.get(i);
                try {
                    layer(n);
                } catch (RuntimeException e) {
                    problems.add(n.layer() + ": " + e.getMessage());
                }
            }
            for (NodeProto.Builder b : pending) g.addNode(b);
            if (!problems.isEmpty()) {
                throw new OnnxException("cannot export this model to ONNX:\n  - " + String.join("\n  - ", problems));
            }
            ModelProto.Builder m = ModelProto.newBuilder()
                    .setIrVersion(opset >= 15 ? 8 : 7)
                    .setProducerName("hush")
                    .setProducerVersion(version())
                    .setGraph(g)
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
            for (Map.Entry<String, String> e : model.metadata().entrySet()) {
                m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
            }
            return m.build();
        }

        static String version() {
            Package p = OnnxExporter.class.getPackage();
            return p != null && p.getImplementationVersion() != null ? p.getImplementationVersion() : "dev";
        }

        /** Whether an image model also runs at twice its build size (then H and W are written as symbols). */
        boolean acceptsOtherSizes() {
            Shape in = nodes.get(0).shape();
            if (in.rank() != 3) return false;
            try {
                model.outputShape(Shape.of(in.dim(0) * 2, in.dim(1) * 2, in.dim(2)));
                return true;
            } catch (ShapeException e) {
                return false;
            }
        }

        ValueInfoProto valueInfo(String name, Shape s, boolean flexible, String hName, String wName) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
            int[] d = s.rank() == 3 ? new int[] {s.dim(2), s.dim(0), s.dim(1)} : s.dims();
            for (int k = 0; k < d.length; k++) {
                TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
                if (flexible && s.rank() == 3 && k >= 1) dim.setDimParam(k == 1 ? hName : wName);
                else dim.setDimValue(d[k]);
                shape.addDim(dim);
            }
            return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
        }

        String unique(String base) {
            String s = base.replaceAll("[^A-Za-z0-9_./:-]", "_");
            if (s.isEmpty()) s = "v";
            String r = s;
            for (int k = 1; !used.add(r); k++) r = s + "_" + k;
            return r;
        }

        String in(Node n, int k) { return names[n.inputs()[k]]; }

        Shape inShape(Node n, int k) { return nodes.get(n.inputs()[k]).shape(); }

        void layer(Node n) {
            Layer l = n.layer();
            String out = names[n.id()];
            String name = l.name();
            switch (l) {
                case Conv2D c -> conv(n, c, out);
                case Conv2DTranspose c -> convTranspose(n, c, out);
                case MaxPool2D p -> maxPool(n, p, out);
                case Dense d -> {
                    String pre = d.activation().kind() == Activation.Kind.LINEAR ? out : unique(name + "/linear");
                    int in = inShape(n, 0).dim(0), units = d.kernel().value.shape().dim(1);
                    List<String> ins = new ArrayList<>(List.of(in(n, 0), weight(name + "/kernel", d.kernel().value.toArray(), in, units)));
                    if (d.bias() != null) ins.add(weight(name + "/bias", d.bias().value.toArray(), units));
                    node("Gemm", name, ins, pre);
                    activation(d.activation(), name, pre, out);
                }
                case BatchNorm2D bn -> {
                    int c = inShape(n, 0).dim(-1);
                    NodeProto.Builder b = node("BatchNormalization", name, List.of(in(n, 0),
                            weight(name + "/gamma", param(bn, "gamma"), c), weight(name + "/beta", param(bn, "beta"), c),
                            weight(name + "/moving_mean", param(bn, "moving_mean"), c),
                            weight(name + "/moving_variance", param(bn, "moving_variance"), c)), out);
                    b.addAttribute(attr("epsilon", bn.epsilon()));
                    b.addAttribute(attr("momentum", bn.momentum()));
                }
                case ActivationLayer a -> {
                    if (a.activation().kind() == Activation.Kind.LINEAR) node("Identity", name, List.of(in(n, 0)), out);
                    else activation(a.activation(), name, in(n, 0), out);
                }
                case Add a -> node("Add", name, List.of(in(n, 0), in(n, 1)), out);
                case Subtract s -> node("Sub", name, List.of(in(n, 0), in(n, 1)), out);
                case Scale s -> {
                    String x = in(n, 0);
                    boolean mul = s.multiplier() != 1f, add = s.offset() != 0f;
                    if (!mul && !add) node("Identity", name, List.of(x), out);
                    if (mul) {
                        String t = add ? unique(name + "/mul") : out;
                        node("Mul", name + "/mul", List.of(x, weight(name + "/multiplier", new float[] {s.multiplier()})), t);
                        x = t;
                    }
                    if (add) node("Add", name + "/add", List.of(x, weight(name + "/offset", new float[] {s.offset()})), out);
                }
                case Dropout d -> // identity in inference (ratio kept for Hush fine-tuning after a re-import)
                        node("Dropout", name, List.of(in(n, 0), weight(name + "/ratio", new float[] {d.rate()})), out);
                case Flatten f -> {
                    Shape s = inShape(n, 0);
                    if (s.rank() == 1) node("Identity", name, List.of(in(n, 0)), out);
                    else node("Flatten", name, List.of(toHushOrder(n, name)), out).addAttribute(attr("axis", 1));
                }
                case Reshape r -> {
                    Shape os = n.shape();
                    long[] target = new long[os.rank() + 1];
                    target[0] = -1;
                    for (int k = 0; k < os.rank(); k++) target[k + 1] = os.dim(k);
                    String shape = constant(name + "/shape", OnnxTensors.longTensor(name + "/shape", target, target.length));
                    if (os.rank() == 3) {
                        String t = unique(name + "/nhwc");
                        node("Reshape", name, List.of(toHushOrder(n, name), shape), t);
                        node("Transpose", name + "/to_nchw", List.of(t), out).addAttribute(ints("perm", 0, 3, 1, 2));
                    } else {
                        node("Reshape", name, List.of(toHushOrder(n, name), shape), out);
                    }
                }
                case AveragePool2D p -> {
                    NodeProto.Builder b = node("AveragePool", name, List.of(in(n, 0)), out);
                    b.addAttribute(ints("kernel_shape", p.poolH(), p.poolW()));
                    b.addAttribute(ints("strides", p.strideH(), p.strideW()));
                    b.addAttribute(attr("count_include_pad", 0));
                    padding(b, p.pad(), p.strideH(), p.strideW(), p.poolH(), p.poolW());
                }
                case UpSampling2D u -> {
                    String scales = weight(name + "/scales", new float[] {1f, 1f, u.sizeH(), u.sizeW()}, 4);
                    NodeProto.Builder b = node("Resize", name, List.of(in(n, 0), "", scales), out);
                    if (u.interpolation() == UpSampling2D.Interpolation.NEAREST) {
                        b.addAttribute(str("mode", "nearest"));
                        b.addAttribute(str("coordinate_transformation_mode", "asymmetric"));
                        b.addAttribute(str("nearest_mode", "floor"));
                    } else {
                        b.addAttribute(str("mode", "linear"));
                        b.addAttribute(str("coordinate_transformation_mode", "half_pixel"));
                    }
                }
                case Multiply m -> node("Mul", name, List.of(in(n, 0), in(n, 1)), out);
                case Concatenate c -> {
                    List<String> ins = new ArrayList<>();
                    for (int k = 0; k < n.inputs().length; k++) ins.add(in(n, k));
                    // NHWC's last axis is NCHW's axis 1 for images; [N,F] features concatenate on axis 1 too
                    int axis = inShape(n, 0).rank() == 3 ? 1 : inShape(n, 0).rank();
                    node("Concat", name, ins, out).addAttribute(attr("axis", axis));
                }
                case ZeroPadding2D z -> {
                    int[] p = z.pads(); // top, bottom, left, right
                    long[] pads = {0, 0, p[0], p[2], 0, 0, p[1], p[3]};
                    String t = constant(name + "/pads", OnnxTensors.longTensor(name + "/pads", pads, pads.length));
                    node("Pad", name, List.of(in(n, 0), t), out).addAttribute(str("mode", "constant"));
                }
                case Cropping2D c -> {
                    int[] p = c.crops(); // top, bottom, left, right
                    Shape s = inShape(n, 0);
                    long[] starts = {p[0], p[2]}, ends = {s.dim(0) - p[1], s.dim(1) - p[3]}, axes = {2, 3};
                    if (acceptsOtherSizes()) { // the end counts from the far edge: negative ends (or the maximum)
                        ends = new long[] {p[1] == 0 ? Long.MAX_VALUE : -p[1], p[3] == 0 ? Long.MAX_VALUE : -p[3]};
                    }
                    node("Slice", name, List.of(in(n, 0),
                            constant(name + "/starts", OnnxTensors.longTensor(name + "/starts", starts, 2)),
                            constant(name + "/ends", OnnxTensors.longTensor(name + "/ends", ends, 2)),
                            constant(name + "/axes", OnnxTensors.longTensor(name + "/axes", axes, 2))), out);
                }
                case GlobalAveragePool2D g -> {
                    if (g.keepDims()) node("GlobalAveragePool", name, List.of(in(n, 0)), out);
                    else {
                        String t = unique(name + "/pooled");
                        node("GlobalAveragePool", name, List.of(in(n, 0)), t);
                        node("Flatten", name + "/flatten", List.of(t), out).addAttribute(attr("axis", 1));
                    }
                }
                case Elu e -> node("Elu", name, List.of(in(n, 0)), out).addAttribute(attr("alpha", e.alpha()));
                case Softmax s -> {
                    if (inShape(n, 0).rank() != 3 && inShape(n, 0).rank() != 1) {
                        throw new IllegalArgumentException("Softmax on a rank-" + inShape(n, 0).rank() + " input has no ONNX mapping");
                    }
                    node("Softmax", name, List.of(in(n, 0)), out).addAttribute(attr("axis", 1));
                }
                case CustomLayer c -> throw new IllegalArgumentException("cannot export " + l + " (custom class "
                        + c.getClass().getName() + ") to ONNX: it has no ONNX mapping");
            }
        }

        /** The input of node n in Hush memory order: an image (NCHW in ONNX) goes through Transpose(0,2,3,1). */
        String toHushOrder(Node n, String name) {
            if (inShape(n, 0).rank() != 3) return in(n, 0);
            String t = unique(name + "/nhwc_in");
            node("Transpose", name + "/to_nhwc", List.of(in(n, 0)), t).addAttribute(ints("perm", 0, 2, 3, 1));
            return t;
        }

        void conv(Node n, Conv2D c, String out) {
            int cin = inShape(n, 0).dim(2), cout = c.filters(), kh = c.kernelH(), kw = c.kernelW();
            NodeProto.Builder b = convNode(n, c, "Conv", "/conv",
                    Layouts.hwioToOihw(c.kernel().value.toArray(), kh, kw, cin, cout), cout, cin, out);
            padding(b, c.pad(), c.strideH(), c.strideW(), c.window().extentH(), c.window().extentW());
        }

        void maxPool(Node n, MaxPool2D p, String out) {
            NodeProto.Builder b = node("MaxPool", p.name(), List.of(in(n, 0)), out);
            b.addAttribute(ints("kernel_shape", p.poolH(), p.poolW()));
            b.addAttribute(ints("strides", p.strideH(), p.strideW()));
            padding(b, p.pad(), p.strideH(), p.strideW(), p.poolH(), p.poolW());
        }

        /**
         * The {@code op} node (Conv or ConvTranspose) of layer {@code c}: its input, the kernel given in ONNX layout
         * {@code [d0,d1,KH,KW]}, the bias and the window attributes, then the fused activation (a node of its own, its
         * input named with {@code suffix}) writing {@code out}. Returns the convolution's node for the caller's padding.
         */
        NodeProto.Builder convNode(Node n, ConvLayer c, String op, String suffix, float[] kernel, int d0, int d1,
                                   String out) {
            String name = c.name();
            int kh = c.kernelH(), kw = c.kernelW();
            String pre = c.activation().kind() == Activation.Kind.LINEAR ? out : unique(name + suffix);
            List<String> ins = new ArrayList<>(List.of(in(n, 0), weight(name + "/kernel", kernel, d0, d1, kh, kw)));
            if (c.bias() != null) ins.add(weight(name + "/bias", c.bias().value.toArray(), c.filters()));
            NodeProto.Builder b = node(op, name, ins, pre);
            b.addAttribute(ints("kernel_shape", kh, kw));
            b.addAttribute(ints("strides", c.strideH(), c.strideW()));
            b.addAttribute(ints("dilations", c.dilationH(), c.dilationW()));
            b.addAttribute(attr("group", 1));
            activation(c.activation(), name, pre, out);
            return b;
        }

        /** SAME/VALID/explicit as ONNX pads ({@code [top, left, bottom, right]}) or auto_pad. */
        void padding(NodeProto.Builder b, Pad pad, int sh, int sw, int effH, int effW) {
            int[] pads = switch (pad) {
                case Pad.Explicit e -> new int[] {e.top(), e.left(), e.bottom(), e.right()};
                case Pad.Valid v -> new int[4];
                case Pad.Same s when sh == 1 && sw == 1 ->
                        new int[] {(effH - 1) / 2, (effW - 1) / 2, effH - 1 - (effH - 1) / 2, effW - 1 - (effW - 1) / 2};
                case Pad.Same s -> null;
            };
            if (pads == null) {
                b.addAttribute(AttributeProto.newBuilder().setName("auto_pad").setType(AttributeProto.AttributeType.STRING)
                        .setS(ByteString.copyFromUtf8("SAME_UPPER")));
                return;
            }
            b.addAttribute(ints("pads", pads));
        }

        void convTranspose(Node n, Conv2DTranspose c, String out) {
            int cin = inShape(n, 0).dim(2), cout = c.filters(), kh = c.kernelH(), kw = c.kernelW();
            NodeProto.Builder b = convNode(n, c, "ConvTranspose", "/convT",
                    Layouts.hushConvTransposeToOnnx(c.kernel().value.toArray(), kh, kw, cin, cout), cin, cout, out);
            // Hush's crop {top, bottom, left, right} of the full output (in-1)*s + eff; for every padding mode it
            // does not depend on the input size. A negative bottom/right crop (VALID or SAME with eff < stride)
            // is ONNX output padding.
            Shape s = inShape(n, 0);
            int[] p = c.cropsFor(s.dim(0), s.dim(1));
            int opH = Math.max(-p[1], 0), opW = Math.max(-p[3], 0);
            b.addAttribute(ints("pads", p[0], p[2], Math.max(p[1], 0), Math.max(p[3], 0)));
            b.addAttribute(ints("output_padding", opH, opW));
        }

        void activation(Activation a, String name, String in, String out) {
            switch (a.kind()) {
                case LINEAR -> { }
                case RELU -> node("Relu", name + "/relu", List.of(in), out);
                case SIGMOID -> node("Sigmoid", name + "/sigmoid", List.of(in), out);
                case TANH -> node("Tanh", name + "/tanh", List.of(in), out);
                case LEAKY_RELU -> node("LeakyRelu", name + "/leaky_relu", List.of(in), out).addAttribute(attr("alpha", a.alpha()));
            }
        }

        /** Appends a node and returns its builder (to add attributes; nodes go into the graph at the end). */
        NodeProto.Builder node(String op, String name, List<String> inputs, String output) {
            NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
            pending.add(b);
            return b;
        }

        final List<NodeProto.Builder> pending = new ArrayList<>();

        String weight(String name, float[] v, long... dims) {
            String n = unique(name);
            g.addInitializer(OnnxTensors.floatTensor(n, v, dims));
            return n;
        }

        String constant(String name, TensorProto t) {
            String n = unique(name);
            g.addInitializer(t.toBuilder().setName(n));
            return n;
        }

        static float[] param(Layer l, String name) {
            for (Param p : l.params()) if (p.name.equals(name) || p.name.endsWith("/" + name)) return p.value.toArray();
            throw new IllegalStateException(l + " has no parameter " + name);
        }
    }
}
