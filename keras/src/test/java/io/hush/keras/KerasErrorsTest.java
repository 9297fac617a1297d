package io.hush.keras;

import io.hush.engine.Model;
import io.hush.engine.io.ImportOptions;
import io.hush.engine.io.ModelFormatException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad and unsupported files: one {@link ModelFormatException}, starting with the file name, saying what and where. */
class KerasErrorsTest {
    static String rejects(byte[] file, String name, String... fragments) {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> KerasImporter.read(file, name, ImportOptions.DEFAULT).close());
        String msg = e.getMessage();
        assertTrue(msg.startsWith(name + ": "), msg);
        assertFalse(msg.contains("\n"), "one line: " + msg);
        for (String f : fragments) assertTrue(msg.contains(f), "message '" + msg + "' lacks '" + f + "'");
        return msg;
    }

    /** The entries of a .keras fixture. */
    static Map<String, byte[]> entries(String fixture) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(Fixtures.bytes(fixture)))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) m.put(e.getName(), z.readAllBytes());
        }
        return m;
    }

    /** A .keras file (stored entries, as Keras writes them). */
    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bo)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                ze.setMethod(ZipEntry.STORED);
                ze.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                ze.setCrc(crc.getValue());
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bo.toByteArray();
    }

    /** A fixture with its config.json edited as text. */
    static byte[] withConfig(String fixture, UnaryOperator<String> edit) throws IOException {
        Map<String, byte[]> m = entries(fixture);
        String c = new String(m.get("config.json"), StandardCharsets.UTF_8);
        String d = edit.apply(c);
        assertFalse(c.equals(d), "the edit changed nothing");
        m.put("config.json", d.getBytes(StandardCharsets.UTF_8));
        return zip(m);
    }

    @Test
    void weightsOnlyFileHoldsNoArchitecture() throws Exception {
        rejects(Fixtures.bytes("weights_only.h5"), "weights_only.h5", "holds no architecture", "weights-only file (model.save_weights)",
                "model.save('model.keras')");
    }

    @Test
    void unsupportedLayersAreNamedWithTheirClass() throws Exception {
        rejects(Fixtures.bytes("unsupported.keras"), "unsupported.keras",
                "unsupported Keras layers: DepthwiseConv2D 'depthwise', SeparableConv2D 'sep'");
        rejects(withConfig("k3_sequential.keras", c -> c.replace("\"max_value\": null", "\"max_value\": 6.0")), "relu6.keras",
                "layer 're_lu' (ReLU): ReLU with max_value=6.0");
        rejects(withConfig("k3_convs.keras", c -> c.replace("\"activation\": \"relu\"", "\"activation\": \"selu\"")), "selu.keras",
                "layer 'enc_a' (Conv2D): activation 'selu' is not supported");
        rejects(withConfig("k3_sequential.keras", c -> c.replace("\"interpolation\": \"bilinear\"", "\"interpolation\": \"bicubic\"")),
                "bicubic.keras", "layer 'up_sampling2d' (UpSampling2D): interpolation 'bicubic' is not supported");
        rejects(withConfig("k3_merge.keras", c -> c.replace("\"axis\": -1}", "\"axis\": 2}")), "axis.keras",
                "layer 'concatenate' (Concatenate): axis 2 is not the channel axis");
        rejects(withConfig("k3_convs.keras", c -> c.replace("\"groups\": 1", "\"groups\": 2")), "groups.keras", "grouped convolution");
    }

    @Test
    void graphsHushCannotHold() throws Exception {
        rejects(Fixtures.bytes("shared.keras"), "shared.keras", "layer 'conv2d' (Conv2D) is applied 2 times (shared weights)");
        rejects(withConfig("k3_merge.keras",
                c -> c.replace("\"output_layers\": [[\"logits\", 0, 0]]", "\"output_layers\": [[\"logits\", 0, 0], [\"gap\", 0, 0]]")),
                "two.keras", "the model has 2 outputs");
        rejects(withConfig("k3_merge.keras", c -> c.replace("\"class_name\": \"Functional\", \"config\": {\"name\": \"merge\"",
                "\"class_name\": \"MyModel\", \"config\": {\"name\": \"merge\"")), "sub.keras", "not a Sequential or Functional model");
        rejects(withConfig("k3_merge.keras", c -> c.replace("\"keras_history\": [\"stem\", 0, 0]", "\"keras_history\": [\"nowhere\", 0, 0]")),
                "dangling.keras", "reads [nowhere]");
    }

    @Test
    void formatVariantsStillLoad() throws Exception {
        // Keras 3 writes a single input as a bare ["name", 0, 0]
        byte[] f = withConfig("k3_merge.keras", c -> c.replace("\"input_layers\": [[\"input_layer\", 0, 0]]",
                "\"input_layers\": [\"input_layer\", 0, 0]"));
        KerasImporter.read(f, "single.keras", ImportOptions.DEFAULT).close();
    }

    @Test
    void weightsThatDoNotFitTheConfig() throws Exception {
        rejects(withConfig("k3_convs.keras", c -> c.replace("\"filters\": 4, \"kernel_size\": [3, 3], \"strides\": [2, 2]",
                "\"filters\": 5, \"kernel_size\": [3, 3], \"strides\": [2, 2]")), "filters.keras",
                "layer 'enc_a' (Conv2D) kernel at 'layers/conv2d/vars/0' has shape [3,3,3,4], expected [3,3,3,5]");
        Map<String, byte[]> m = entries("k3_convs.keras");
        m.remove("model.weights.h5");
        rejects(zip(m), "noweights.keras", "no model.weights.h5");
        m = entries("k3_convs.keras");
        m.put("model.weights.h5", entries("k3_sequential.keras").get("model.weights.h5"));
        rejects(zip(m), "swapped.keras", "layer 'enc_a' (Conv2D)");
    }

    @Test
    void datasetsLargerThanTheFileCouldHoldAreNotRead() throws Exception {
        // config and dataset agree on 2^20 filters, but the (unwritten, chunked) dataset would decode to 113 MB
        rejects(Fixtures.bytes("huge_dataset.keras"), "huge.keras", "layer 'conv2d' (Conv2D) kernel",
                "claims 28311552 values, more than a file of this size can hold");
        rejects(withConfig("k3_merge.keras", c -> c.replace("\"batch_shape\": [null, 6, 6, 3]", "\"batch_shape\": [null, 1048576, 1048576, 3]")),
                "big.keras", "input shape [1048576,1048576,3] is larger than the limit");
    }

    @Test
    void notKerasFiles() throws Exception {
        rejects(new byte[0], "empty.keras", "not a Keras model file (the file is empty)");
        rejects("hello".getBytes(), "text.h5", "not a Keras model file");
        rejects(zip(Map.of("a.txt", new byte[3])), "other.keras", "a zip without config.json");
        byte[] f = Fixtures.bytes("k3_convs.keras");
        for (int n : new int[] {4, 30, 100, f.length / 2}) rejects(java.util.Arrays.copyOf(f, n), "cut.keras");
        byte[] h = Fixtures.bytes("k2_sequential.h5");
        for (int n : new int[] {8, 100, 1000, h.length / 2}) rejects(java.util.Arrays.copyOf(h, n), "cut.h5");
        rejects(withConfig("k3_merge.keras", c -> c.substring(0, c.length() / 2)), "json.keras", "json.keras: config.json: JSON");
    }

    @Test
    void aModelThatLoadsIsUsable() throws Exception {
        try (Model m = KerasImporter.read(Fixtures.bytes("k3_merge.keras"), "k3_merge.keras", ImportOptions.DEFAULT)) {
            assertTrue(m.parameterCount() > 0);
        }
    }
}
