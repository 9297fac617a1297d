package io.hush.engine.onnx;

import com.google.protobuf.ByteString;
import io.hush.engine.Model;
import io.hush.engine.io.ModelFormatException;
import io.hush.engine.onnx.proto.Onnx.AttributeProto;
import io.hush.engine.onnx.proto.Onnx.GraphProto;
import io.hush.engine.onnx.proto.Onnx.ModelProto;
import io.hush.engine.onnx.proto.Onnx.NodeProto;
import io.hush.engine.onnx.proto.Onnx.OperatorSetIdProto;
import io.hush.engine.onnx.proto.Onnx.TensorProto;
import io.hush.engine.onnx.proto.Onnx.TensorShapeProto;
import io.hush.engine.onnx.proto.Onnx.TypeProto;
import io.hush.engine.onnx.proto.Onnx.ValueInfoProto;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.hush.engine.onnx.Attributes.attr;
import static io.hush.engine.onnx.Attributes.ints;
import static io.hush.engine.onnx.Attributes.str;
import static io.hush.engine.onnx.OnnxTesting.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unsupported models fail with one exception naming every problem; opset limits; hand-built graphs (opset 18). */
class OnnxImportErrorTest {

    static NodeProto node(String op, String name, List<String> in, String out, AttributeProto... attrs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addOutput(out)
                .addAllAttribute(List.of(attrs)).build();
    }

    static ValueInfoProto tensor(String name, Object... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String p) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(p));
            else s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    static ModelProto model(int opset, List<NodeProto> nodes, List<TensorProto> init, ValueInfoProto in, ValueInfoProto out) {
        GraphProto g = GraphProto.newBuilder().setName("t").addAllNode(nodes).addAllInitializer(init).addInput(in)
                .addOutput(out).build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    static TensorProto weights(String name, long seed, long... dims) {
        return OnnxTensors.floatTensor(name, OnnxTesting.uniform(seed, (int) OnnxTensors.size(dims), -0.5f, 0.5f), dims);
    }

    @Test
    void everyUnsupportedNodeIsListedInOneException() {
        ModelProto m = model(13, List.of(
                node("Conv", "grouped_conv", List.of("x", "w1"), "a", ints("kernel_shape", 3, 3), attr("group", 2),
                        ints("pads", 1, 1, 1, 1)),
                node("Softmax", "the_softmax", List.of("a"), "b", attr("axis", 1)),
                node("Clip", "relu6", List.of("b", "zero", "six"), "c"),
                node("Resize", "upsample", List.of("c", "", "scales"), "d", str("mode", "nearest")),
                node("MaxPool", "pool", List.of("d"), "e", ints("kernel_shape", 2, 2), ints("dilations", 2, 2)),
                node("Relu", "relu_with_junk", List.of("e"), "y", str("flavour", "spicy"))),
                List.of(weights("w1", 1, 4, 2, 3, 3), OnnxTensors.floatTensor("zero", new float[] {0}),
                        OnnxTensors.floatTensor("six", new float[] {6}),
                        OnnxTensors.floatTensor("scales", new float[] {1, 1, 2, 2}, 4)),
                tensor("x", "N", 4, 8, 8), tensor("y", "N", 4, 16, 16));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImporter.read(m.toByteArray(), "bad.onnx", 0, 0));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("bad.onnx: cannot import this ONNX model into Hush (6 problems):"), msg);
        for (String want : List.of("Conv 'grouped_conv': group=2", "Softmax 'the_softmax': unsupported operator",
                "Clip 'relu6': Clip(0.0, 6.0)", "ReLU6", "Resize 'upsample': unsupported operator",
                "MaxPool 'pool': dilations=[2, 2]", "Relu 'relu_with_junk': unsupported attribute flavour=spicy")) {
            assertTrue(msg.contains(want), "message lacks \"" + want + "\":\n" + msg);
        }
        assertTrue(e instanceof ModelFormatException); // one exception type for every model file problem
    }

    @Test
    void unsupportedOperatorsComeWithTheListOfSupportedOnes() {
        ModelProto m = model(13, List.of(node("Softmax", "sm", List.of("x"), "y", attr("axis", 1))), List.of(),
                tensor("x", "N", 4), tensor("y", "N", 4));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImporter.read(m.toByteArray(), "s.onnx", 0, 0));
        assertTrue(e.getMessage().contains("(1 problem):\n  - Softmax 'sm': unsupported operator\n"), e.getMessage());
        String supported = e.getMessage().substring(e.getMessage().lastIndexOf('\n') + 1);
        assertEquals("Hush imports these operators: " + String.join(", ", OpRegistry.supportedOps()), supported);
        for (String op : List.of("Conv", "ConvTranspose", "MaxPool", "BatchNormalization", "Gemm", "MatMul", "Reshape",
                "Relu", "Clip", "Add", "Div", "Dropout", "Constant", "Shape", "Cast")) {
            assertTrue(supported.contains(" " + op + ","), op + " missing: " + supported);
        }
    }

    @Test
    void attributesOfTheWrongTypeOrRangeNameNodeAndAttribute() {
        ModelProto m = model(13, List.of(
                node("Conv", "c", List.of("x", "w1"), "a", attr("group", 1.5f), ints("kernel_shape", 3, 3)),
                node("MaxPool", "p", List.of("a"), "y", ints("kernel_shape", 2, 1).toBuilder().setInts(1, 1L << 40).build())),
                List.of(weights("w1", 1, 4, 2, 3, 3)), tensor("x", "N", 2, 8, 8), tensor("y", "N", 4, 3, 3));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImporter.read(m.toByteArray(), "t.onnx", 0, 0));
        assertTrue(e.getMessage().contains("Conv 'c': attribute group is FLOAT, expected INT"), e.getMessage());
        assertTrue(e.getMessage().contains("MaxPool 'p': attribute kernel_shape=[2, 1099511627776]: 1099511627776 is"
                + " out of range"), e.getMessage());
    }

    @Test
    void unreadableWeightsAreListedWithTheOtherProblems() {
        TensorProto half = TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.FLOAT16_VALUE)
                .addDims(2).addDims(1).addDims(1).addDims(1).setRawData(ByteString.copyFrom(new byte[4])).build();
        ModelProto m = model(17, List.of(
                node("Conv", "half_conv", List.of("x", "w"), "a", ints("kernel_shape", 1, 1)),
                node("Relu", "r", List.of("a"), "b"),
                node("Softmax", "sm", List.of("b"), "y")),
                List.of(half), tensor("x", "N", 1, 4, 4), tensor("y", "N", 2, 4, 4));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImporter.read(m.toByteArray(), "h.onnx", 0, 0));
        assertTrue(e.getMessage().contains("(2 problems)"), e.getMessage());
        assertTrue(e.getMessage().contains("Conv 'half_conv': tensor 'w' has data type FLOAT16"), e.getMessage());
        assertTrue(e.getMessage().contains("Softmax 'sm': unsupported operator"), e.getMessage());
    }

    @Test
    void opsetOutsideElevenToEighteenIsRefused() {
        for (int opset : new int[] {10, 19}) {
            ModelProto m = model(opset, List.of(node("Relu", "r", List.of("x"), "y")), List.of(),
                    tensor("x", "N", 4), tensor("y", "N", 4));
            OnnxException e = assertThrows(OnnxException.class, () -> OnnxImporter.read(m.toByteArray(), "old.onnx", 0, 0));
            assertTrue(e.getMessage().contains("opset " + opset + " is not supported"), e.getMessage());
        }
    }

    @Test
    void notAnOnnxFile() {
        OnnxException e = assertThrows(OnnxException.class,
                () -> OnnxImporter.read(new byte[] {(byte) 0x89, 'H', 'U', 'S', 'H', 1, 2, 3}, "x.onnx", 0, 0));
        assertTrue(e.getMessage().startsWith("x.onnx: not an ONNX model"), e.getMessage());
    }

    @Test
    void reshapeToImageWithoutDenseBeforeItIsExplained() {
        // flatten (c,h,w order) then straight back to an image: Hush cannot reorder features without a Dense
        ModelProto m = model(13, List.of(
                node("Flatten", "flat", List.of("x"), "f", attr("axis", 1)),
                node("Relu", "r", List.of("f"), "g"),
                node("Reshape", "unflat", List.of("g", "shape"), "y")),
                List.of(OnnxTensors.longTensor("shape", new long[] {-1, 2, 3, 3}, 4)),
                tensor("x", "N", 3, 3, 2), tensor("y", "N", 2, 3, 3));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImporter.read(m.toByteArray(), "r.onnx", 0, 0));
        assertTrue(e.getMessage().contains("Reshape 'unflat': reshaping features to an NCHW image"), e.getMessage());
    }

    /** ConvTranspose auto_pad SAME_UPPER / SAME_LOWER (odd total padding) and MaxPool/Conv SAME_LOWER at stride 1. */
    @Test
    void autoPadVariantsMatchOnnxRuntime() throws Exception {
        for (String ap : List.of("SAME_UPPER", "SAME_LOWER")) {
            ModelProto m = model(13, List.of(
                    node("Conv", "conv", List.of("x", "w1", "b1"), "a", ints("kernel_shape", 3, 3), str("auto_pad", ap)),
                    node("MaxPool", "pool", List.of("a"), "b", ints("kernel_shape", 3, 3), str("auto_pad", ap)),
                    node("ConvTranspose", "up", List.of("b", "w2", "b2"), "y", ints("kernel_shape", 3, 3),
                            ints("strides", 2, 2), str("auto_pad", ap))),
                    List.of(weights("w1", 1, 4, 2, 3, 3), weights("b1", 2, 4), weights("w2", 3, 4, 3, 3, 3), weights("b2", 4, 3)),
                    tensor("x", "N", 2, 5, 7), tensor("y", "N", 3, 10, 14));
            float[] x = OnnxTesting.uniform(7, 2 * 2 * 5 * 7, -1, 1);
            try (Model h = OnnxImporter.convert(m, ap)) {
                float[] hushOut = OnnxTesting.nhwcToNchw(
                        OnnxTesting.hush(h, OnnxTesting.nchwToNhwc(x, 2, 2, 5, 7), 2, 5, 7, 2), 2, 10, 14, 3);
                double d = maxAbsDiff(hushOut, OnnxTesting.ort(m.toByteArray(), x, 2, 2, 5, 7).data());
                assertTrue(d <= OnnxTesting.TOL, ap + ": Hush vs ONNX Runtime " + d);
            }
        }
    }

    /**
     * Opset 18, hand-built: symmetric-padded stride-2 conv (explicit pads), ceil-mode pooling, Gemm with transB=0,
     * alpha/beta, Div and Sub by constants, Identity, Clip as ReLU; Hush must agree with ONNX Runtime.
     */
    @Test
    void opset18HandBuiltGraphMatchesOnnxRuntime() throws Exception {
        ModelProto m = model(18, List.of(
                node("Conv", "conv_s2", List.of("x", "w1", "b1"), "a", ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                        ints("pads", 1, 1, 1, 1)),
                node("Clip", "clip_relu", List.of("a", "zero"), "b"),
                node("MaxPool", "pool_ceil", List.of("b"), "c", ints("kernel_shape", 2, 2), ints("strides", 2, 2),
                        attr("ceil_mode", 1)),
                node("Div", "div", List.of("c", "two"), "d"),
                node("Identity", "id", List.of("d"), "e"),
                node("Flatten", "flat", List.of("e"), "f"),
                node("Gemm", "fc", List.of("f", "w2", "b2"), "g",
                        attr("alpha", 0.5f), attr("beta", 2f)),
                node("Tanh", "tanh", List.of("g"), "h"),
                node("Sub", "one_minus", List.of("one", "h"), "y")),
                List.of(weights("w1", 2, 5, 3, 3, 3), weights("b1", 3, 5), OnnxTensors.floatTensor("zero", new float[] {0}),
                        OnnxTensors.floatTensor("two", new float[] {2}), weights("w2", 4, 5 * 4 * 4, 7), weights("b2", 5, 7),
                        OnnxTensors.floatTensor("one", new float[] {1})),
                tensor("x", "N", 3, 13, 13), tensor("y", "N", 7));
        // 13 -> conv s2 pad 1 -> 7 -> ceil-mode pool (a last, partial window) -> 4
        float[] x = OnnxTesting.uniform(9, 2 * 3 * 13 * 13, -1, 1);
        try (Model h = OnnxImporter.convert(m, "opset18")) {
            assertEquals(List.of("Conv2D", "MaxPool2D", "Scale", "Flatten", "Dense", "Scale"),
                    h.nodes().stream().skip(1).map(n -> n.layer().type()).toList());
            float[] hushOut = OnnxTesting.hush(h, OnnxTesting.nchwToNhwc(x, 2, 3, 13, 13), 2, 13, 13, 3);
            float[] ortOut = OnnxTesting.ort(m.toByteArray(), x, 2, 3, 13, 13).data();
            double d = maxAbsDiff(hushOut, ortOut);
            assertTrue(d <= OnnxTesting.TOL, "opset 18 graph: Hush vs ONNX Runtime " + d);
        }
    }
}
