package io.hush.engine.io;

import com.google.protobuf.ByteString;
import io.hush.engine.Model;
import io.hush.engine.io.proto.Activation;
import io.hush.engine.io.proto.ActivationSettings;
import io.hush.engine.io.proto.DataType;
import io.hush.engine.io.proto.DropoutSettings;
import io.hush.engine.io.proto.HushModel;
import io.hush.engine.io.proto.Node;
import io.hush.engine.io.proto.ReshapeSettings;
import io.hush.engine.io.proto.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of bad file gives one ModelFormatException whose message says what and where. */
class HostileFileTest {
    @TempDir Path dir;

    static HushModel valid() {
        try (Model m = RoundTripTest.parameterFree()) {
            return ModelEncoder.encode(m, Storage.FLOAT32, Instant.EPOCH, "test");
        }
    }

    /** Loads a file holding {@code m}; asserts it fails and that the message contains every fragment. */
    static String rejects(HushModel m, String... fragments) {
        return rejects(HushFormat.container(m.toByteArray(), HushFormat.FORMAT_VERSION), fragments);
    }

    static String rejects(byte[] file, String... fragments) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HushFormat.fromBytes(file, "bad.hush").close());
        String msg = e.getMessage();
        assertTrue(msg.startsWith("bad.hush: "), msg);
        for (String f : fragments) assertTrue(msg.contains(f), "message '" + msg + "' lacks '" + f + "'");
        assertTrue(!msg.contains(HushFormat.INTERNAL), "not caught by a check of its own: " + msg);
        return msg;
    }

    static HushModel editNode(int index, UnaryOperator<Node.Builder> f) {
        HushModel.Builder b = valid().toBuilder();
        b.setNodes(index, f.apply(b.getNodes(index).toBuilder()));
        return b.build();
    }

    static Tensor tensor(String name, long[] dims, int bytes) {
        Tensor.Builder t = Tensor.newBuilder().setName(name).setDataType(DataType.FLOAT32).setData(ByteString.copyFrom(new byte[bytes]));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    @Test
    void validFileLoads() throws Exception {
        try (Model ref = RoundTripTest.parameterFree();
             Model m = HushFormat.fromBytes(HushFormat.container(valid().toByteArray(), 1), "ok.hush")) {
            assertEquals(ref.nodes().size(), m.nodes().size());
            assertEquals(ref.inputShape(), m.inputShape());
            assertEquals(ref.outputShape(), m.outputShape());
            float[] x = new float[(int) ref.inputShape().size()];
            for (int i = 0; i < x.length; i++) x[i] = (i % 13) / 13f - 0.3f;
            assertArrayEquals(ref.predict(x, 1), m.predict(x, 1));
        }
    }

    @Test
    void pngRenamedToHush() throws Exception {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        Path p = dir.resolve("photo.hush");
        ImageIO.write(img, "png", p.toFile());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(p));
        assertTrue(e.getMessage().contains("photo.hush: not a Hush model file (it is a PNG image)"), e.getMessage());
    }

    @Test
    void emptyAndForeignFiles() {
        rejects(new byte[0], "not a Hush model file (the file is empty)");
        rejects("hello world".getBytes(), "not a Hush model file", "68 65 6c 6c");
        rejects(new byte[]{'P', 'K', 3, 4, 0, 0, 0, 0, 0}, "ZIP archive");
    }

    @Test
    void truncatedAnywhere() {
        byte[] f = HushFormat.container(valid().toByteArray(), 1);
        for (int n : new int[]{3, 8, 12, 19, 20, 21, f.length / 2, f.length - 4, f.length - 1}) {
            rejects(Arrays.copyOf(f, n), "truncated");
        }
    }

    @Test
    void truncatedFileOnDiskIsCaughtBeforeReading(@TempDir Path d) throws Exception {
        byte[] f = HushFormat.container(valid().toByteArray(), 1);
        Path p = d.resolve("cut.hush");
        Files.write(p, Arrays.copyOf(f, f.length - 10));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(p));
        assertTrue(e.getMessage().contains("truncated: the file is " + (f.length - 10) + " bytes, its header declares " + f.length), e.getMessage());
    }

    @Test
    void trailingDataAndCorruption() {
        byte[] f = HushFormat.container(valid().toByteArray(), 1);
        rejects(Arrays.copyOf(f, f.length + 3), "trailing data");
        byte[] g = f.clone();
        g[HushFormat.HEADER_BYTES + 5] ^= 0x10;
        rejects(g, "corrupt: checksum mismatch");
    }

    @Test
    void hostileHeader() {
        byte[] f = HushFormat.container(valid().toByteArray(), 1);
        rejects(HushFormat.container(valid().toByteArray(), 2), "format version 2 is newer than this Hush reads (1)");
        rejects(HushFormat.container(valid().toByteArray(), 0), "format version 0 is invalid");
        byte[] g = f.clone();
        ByteBuffer.wrap(g).order(ByteOrder.LITTLE_ENDIAN).putLong(12, 1L << 40); // payload "1 TiB"
        rejects(g, "payload length 1099511627776 is out of range");
        ByteBuffer.wrap(g).order(ByteOrder.LITTLE_ENDIAN).putLong(12, Integer.MAX_VALUE - 100); // plausible, but the stream is short
        rejects(g, "truncated");
        ByteBuffer.wrap(g).order(ByteOrder.LITTLE_ENDIAN).putLong(12, -1);
        rejects(g, "payload length 18446744073709551615 is out of range");
    }

    @Test
    void garbagePayload() {
        rejects(HushFormat.container(new byte[]{(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, 1), "corrupt payload");
        rejects(HushFormat.container(new byte[0], 1), "input_shape [] must have rank 1..8");
    }

    @Test
    void tensorClaimingTwoToThe40Elements() {
        String m = rejects(editNode(0, n -> n.addParams(tensor("kernel", new long[]{1 << 20, 1 << 20}, 16))),
                "node 1 'scale_1' (Scale): parameter 0 'kernel': dims [1048576, 1048576] claim more elements than its 16 bytes");
        assertTrue(m.contains("hold (4)"), m);
    }

    @Test
    void negativeAndOverflowingDimensions() {
        rejects(editNode(0, n -> n.addParams(tensor("kernel", new long[]{4, -3}, 16))),
                "node 1 'scale_1' (Scale): parameter 0 'kernel': dimension 1 of [4, -3] is -3 (must be 1..2147483647)");
        rejects(editNode(0, n -> n.addParams(tensor("kernel", new long[]{1L << 40}, 16))), "dimension 0 of [1099511627776] is 1099511627776");
        long big = Integer.MAX_VALUE;
        rejects(editNode(0, n -> n.addParams(tensor("kernel", new long[]{big, big, big, big}, 16))), "claim more elements");
        rejects(editNode(0, n -> n.addParams(tensor("kernel", new long[]{2, 2}, 20))),
                "parameter 0 'kernel': 20 bytes of data, but dims [2, 2] of FLOAT32 need 16");
        // 4-bit blocks: 300 elements = 2 blocks (8 bytes of scale/offset) + 150 bytes of codes
        rejects(editNode(0, n -> n.addParams(tensor("kernel", new long[]{300}, 157).toBuilder().setDataType(DataType.Q4_BLOCK256))),
                "parameter 0 'kernel': 157 bytes of data, but dims [300] of Q4_BLOCK256 need 158");
        rejects(editNode(0, n -> n.addParams(tensor("kernel", new long[]{1 << 20, 1 << 20}, 16).toBuilder().setDataType(DataType.Q4_BLOCK256))),
                "claim more elements than its 16 bytes of Q4_BLOCK256 data hold (32)");
        rejects(editNode(0, n -> n.addParams(tensor("kernel", new long[]{}, 0))), "dims [] must have rank 1..8");
        rejects(editNode(0, n -> n.addParams(tensor("kernel", new long[]{1}, 4).toBuilder().setDataTypeValue(9))),
                "parameter 0 'kernel': unknown data_type 9");
    }

    @Test
    void parameterCountNotMatchingTheLayer() {
        rejects(editNode(0, n -> n.addParams(tensor("kernel", new long[]{1}, 4))),
                "node 1 'scale_1' (Scale): the layer has 0 parameter tensor(s) [], the file has 1");
    }

    @Test
    void hugeInputShapes() {
        rejects(valid().toBuilder().setInputShape(0, -6).build(), "input_shape [-6, 5, 2]: dimension 0 is -6");
        rejects(valid().toBuilder().setInputShape(0, 1 << 30).build(), "input_shape [1073741824, 5, 2] is larger than the limit");
        rejects(valid().toBuilder().addAllInputShape(List.of(1, 1, 1, 1, 1, 1)).build(), "must have rank 1..8");
    }

    @Test
    void unknownLayerTypes() {
        rejects(editNode(2, n -> n.clearSettings().setType("Upsample2D")),
                "node 3 'activation_2' (Upsample2D): unknown layer type 'Upsample2D'");
        // a layer of a newer version: its settings arrive as an unknown field
        HushModel m = editNode(2, n -> n.clearSettings().setType("Upsample2D").setUnknownFields(
                com.google.protobuf.UnknownFieldSet.newBuilder().addField(99,
                        com.google.protobuf.UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x")).build()).build()));
        rejects(m, "unknown layer type 'Upsample2D'", "newer Hush");
        rejects(editNode(2, n -> n.setType("Add")), "node 3 'activation_2' (Add): type 'Add' does not match its settings (Activation)");
        rejects(editNode(1, n -> n.setActivation(ActivationSettings.newBuilder().setActivation(Activation.newBuilder().setKindValue(42)))),
                "node 2 'activation_1' (Activation): activation: unknown kind 42");
    }

    @Test
    void cyclesAndForwardReferences() {
        rejects(editNode(1, n -> n.setInputs(0, 5)),
                "node 2 'activation_1' (Activation): input 0 is node 5, but a node may only read earlier nodes 0..1 (forward reference or cycle)");
        rejects(editNode(1, n -> n.setInputs(0, 2)), "input 0 is node 2", "forward reference or cycle");
        rejects(editNode(1, n -> n.setInputs(0, -1)), "input 0 is node -1");
        rejects(editNode(3, n -> n.clearInputs().addInputs(1)), "node 4 'add_1' (Add): Add 'add_1' takes 2 input(s), given 1");
    }

    @Test
    void invalidSettingsNameTheLayer() {
        rejects(editNode(5, n -> n.setDropout(DropoutSettings.newBuilder().setRate(1.5f))),
                "node 6 'dropout_1' (Dropout): invalid settings: Dropout rate must be in [0,1), got 1.5");
        rejects(editNode(7, n -> n.setReshape(ReshapeSettings.newBuilder().addShape(7))),
                "node 8 'reshape_1' (Reshape):", "cannot reshape [60] (60 values) to [7]");
        rejects(editNode(7, n -> n.setReshape(ReshapeSettings.newBuilder().addShape(-1).addShape(-1))),
                "node 8 'reshape_1' (Reshape): invalid settings:", "more than one -1");
        rejects(editNode(7, n -> n.setReshape(ReshapeSettings.newBuilder().addShape(Integer.MAX_VALUE).addShape(Integer.MAX_VALUE).addShape(-1))),
                "node 8 'reshape_1' (Reshape):");
    }

    static HushModel residual() {
        try (Model m = SeedModels.residual()) {
            return ModelEncoder.encode(m, Storage.FLOAT32, Instant.EPOCH, "test");
        }
    }

    static HushModel editResidual(int index, UnaryOperator<Node.Builder> f) {
        HushModel.Builder b = residual().toBuilder();
        b.setNodes(index, f.apply(b.getNodes(index).toBuilder()));
        return b.build();
    }

    @Test
    void layerSettingsThatWouldAllocateFarMoreThanTheFileHolds() {
        // 2^30 filters of 3x3x1: the layer would ask for 36 GiB of kernel; the file holds 40 floats
        String m = rejects(editResidual(0, n -> n.setConv2D(n.getConv2D().toBuilder().setFilters(1 << 30))),
                "node 1 'conv2d_1' (Conv2D):");
        assertTrue(m.contains("larger than the limit") || m.contains("more parameter memory"), m);
        // channels small enough for the activation limit, kernel still far beyond the data
        rejects(editResidual(0, n -> n.setConv2D(n.getConv2D().toBuilder().setFilters(4).setKernelH(4000).setKernelW(4000))),
                "node 1 'conv2d_1' (Conv2D): the layer's settings need more parameter memory", "than the 40 stored parameter values");
        rejects(editResidual(0, n -> n.setConv2D(n.getConv2D().toBuilder().setFilters(5))),
                "node 1 'conv2d_1' (Conv2D): parameter 0 must be 'kernel' [3,3,1,5], the file has 'kernel' [3,3,1,4]");
        rejects(editResidual(1, n -> n.setConv2D(n.getConv2D().toBuilder().setNoBias(false))),
                "node 2 'conv2d_2' (Conv2D): the layer has 2 parameter tensor(s) [kernel[3,3,4,4], bias[4]], the file has 1");
        rejects(editResidual(0, n -> n.setParams(1, n.getParams(1).toBuilder().setName("gamma"))),
                "parameter 1 must be 'bias' [4], the file has 'gamma' [4]");
        rejects(editResidual(2, n -> n.removeParams(3)), "node 3 'batchnorm2d_1' (BatchNorm2D): the layer has 4 parameter tensor(s)");
    }

    @Test
    void windowsBeyondTheLimitAreRefusedBeforeTheLayerSeesThem() {
        try (Model seed = SeedModels.everyForm()) {
            HushModel every = ModelEncoder.encode(seed, Storage.FLOAT32, Instant.EPOCH, "t");
            HushModel.Builder b = every.toBuilder();
            b.setNodes(2, b.getNodes(2).toBuilder().setMaxPool2D(b.getNodes(2).getMaxPool2D().toBuilder().setPoolW(Integer.MAX_VALUE)));
            rejects(b.build(), "node 3 'maxpool2d_1' (MaxPool2D): a window, stride, dilation or pad of 2147483647 is larger than the limit of 4096",
                    "pool_w: 2147483647");
        }
        rejects(editResidual(0, n -> n.setConv2D(n.getConv2D().toBuilder().setDilationW(5000))),
                "node 1 'conv2d_1' (Conv2D): a window, stride, dilation or pad of 5000 is larger than the limit of 4096");
    }

    @Test
    void badLayerSettingsGoThroughTheConstructors() {
        rejects(editResidual(0, n -> n.setConv2D(n.getConv2D().toBuilder().setStrideH(-2))),
                "node 1 'conv2d_1' (Conv2D): invalid settings: window 3x3, strides -2x1", "must be >= 1");
        rejects(editResidual(0, n -> n.setConv2D(n.getConv2D().toBuilder().setPaddingValue(7))),
                "node 1 'conv2d_1' (Conv2D): padding: unknown mode");
        rejects(editResidual(0, n -> n.setConv2D(n.getConv2D().toBuilder().setPadding(io.hush.engine.io.proto.Padding.VALID)
                .setKernelH(30))), "node 1 'conv2d_1' (Conv2D):");
        rejects(editResidual(0, n -> n.setConv2D(n.getConv2D().toBuilder().setPadding(io.hush.engine.io.proto.Padding.EXPLICIT)
                .setPads(io.hush.engine.io.proto.Pads.newBuilder().setTop(-1)))), "node 1 'conv2d_1' (Conv2D): invalid settings:", "pads must be >= 0, got top -1");
        rejects(editResidual(2, n -> n.setBatchNorm2D(n.getBatchNorm2D().toBuilder().setEpsilon(-1f))),
                "node 3 'batchnorm2d_1' (BatchNorm2D): invalid settings: BatchNorm2D epsilon must be positive, got -1.0");
        rejects(editResidual(5, n -> n.clearInputs().addInputs(0).addInputs(4)),
                "node 6 'subtract_1' (Subtract): Subtract 'subtract_1': inputs must have the same shape, got [9,8,1] and [9,8,4]");
    }

    @Test
    void tooManyNodes() {
        HushModel.Builder b = valid().toBuilder();
        Node n = b.getNodes(1).toBuilder().setInputs(0, 0).build();
        for (int i = 0; i < ModelDecoder.MAX_NODES; i++) b.addNodes(n);
        rejects(b.build(), "payload: hush.format.HushModel.nodes repeats more than 10000 times");
        rejects(valid().toBuilder().clearNodes().build(), "graph has no layers");
    }

    @Test
    void millionsOfTinyMessagesAreRefusedBeforeParsing() {
        // 3 million empty nodes: 6 MB of file, but hundreds of MB of heap if parsed
        byte[] p = new byte[2 + 2 * 3_000_000];
        p[0] = 8;
        p[1] = 3;
        for (int i = 2; i < p.length; i += 2) p[i] = 0x12; // field 2 (nodes), length 0
        rejects(HushFormat.container(p, 1), "payload: hush.format.HushModel.nodes repeats more than 10000 times");
        // the same inside one node: empty tensors
        java.io.ByteArrayOutputStream node = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 20_000; i++) { node.write(0x22); node.write(0); } // field 4 (params), length 0
        byte[] n = node.toByteArray();
        java.io.ByteArrayOutputStream q = new java.io.ByteArrayOutputStream();
        q.write(8); q.write(3); q.write(0x12);
        int len = n.length;
        while (len >= 0x80) { q.write(len & 0x7F | 0x80); len >>>= 7; }
        q.write(len);
        q.writeBytes(n);
        rejects(HushFormat.container(q.toByteArray(), 1), "payload: hush.format.Node.params repeats more than 10000 times");
    }

    @Test
    void deeplyNestedUnknownFieldsHitTheRecursionLimit() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(8); p.write(3); // input_shape = 3
        int depth = 100_000;
        for (int i = 0; i < depth; i++) { p.write((99 << 3 | 3) & 0x7F | 0x80); p.write((99 << 3 | 3) >> 7); } // start group 99
        for (int i = 0; i < depth; i++) { p.write((99 << 3 | 4) & 0x7F | 0x80); p.write((99 << 3 | 4) >> 7); } // end group 99
        rejects(HushFormat.container(p.toByteArray(), 1), "corrupt payload");
    }

    @Test
    void failedSaveLeavesTheOldFileAndNoTemporary() throws Exception {
        Path p = dir.resolve("keep.hush");
        try (Model m = RoundTripTest.parameterFree()) {
            m.save(p);
        }
        byte[] before = Files.readAllBytes(p);
        try (Model bad = Model.builder(io.hush.engine.Shape.of(4)).add(new io.hush.engine.layers.CustomLayer() {
            @Override public String type() { return "Custom"; }
            @Override public io.hush.engine.Shape outputShape(io.hush.engine.Shape... in) { return in[0]; }
            @Override public void forward(io.hush.engine.Tensor[] in, io.hush.engine.Tensor out, io.hush.engine.layers.Exec ex) {}
            @Override public void backward(io.hush.engine.Tensor[] in, io.hush.engine.Tensor out, io.hush.engine.Tensor g,
                                           io.hush.engine.Tensor[] gi, io.hush.engine.layers.Exec ex) {}
        }).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bad.save(p));
            assertTrue(e.getMessage().contains("cannot save Custom 'custom_1' (custom class io.hush.engine.io.HostileFileTest$")
                    && e.getMessage().contains("the format holds only the engine's own layer types"), e.getMessage());
        }
        assertTrue(Arrays.equals(before, Files.readAllBytes(p)));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList());
        }
    }
}
