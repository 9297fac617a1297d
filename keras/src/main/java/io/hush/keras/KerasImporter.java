package io.hush.keras;

import io.hush.engine.Model;
import io.hush.engine.ModelCard;
import io.hush.engine.Shape;
import io.hush.engine.io.ImportOptions;
import io.hush.engine.io.ModelFormatException;
import io.hush.engine.io.ModelImporter;
import io.jhdf.api.Node;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads Keras models as Hush {@link Model}s, in pure Java: Keras 3 {@code .keras} files (a zip of {@code config.json},
 * {@code metadata.json} and {@code model.weights.h5}, also written by tf.keras 2.13+) and {@code .h5} full models
 * (Keras 2 HDF5 with a {@code model_config} attribute, and Keras 3's legacy HDF5 writer). Sequential and Functional
 * models, nested ones included; the layers and settings are those of {@link Translator#SUPPORTED} (keras/README.md
 * has the table). The file type is read from its first bytes, not its name.
 *
 * <pre>{@code
 * try (Model m = KerasImporter.read(Path.of("autoencoder.keras"))) { ... }     // or ModelImporters.load(path)
 * }</pre>
 *
 * <p>The model's card records the source file, the Keras version and the input contract: channels, fixed size or any
 * size (with the multiple the model needs), and the value range: 0..1 unless {@link ImportOptions} says otherwise
 * (Keras image models usually take 0..1; a model with a {@code Rescaling(1/255)} first layer takes 0..255).
 *
 * <p>Bad files: every problem, whatever the bytes, is one {@link ModelFormatException} starting with the file name
 * that names what is wrong (the layer and its class for an unsupported layer; "holds no architecture" for a
 * weights-only file). Memory is bounded by the file: zip entries may not inflate beyond what deflate can produce
 * from the file's size, and an HDF5 dataset is read only after its shape matched the layer's.
 */
public final class KerasImporter implements ModelImporter {
    /** The most a zip entry may inflate to, relative to the file (deflate's ratio is at most about 1032:1). */
    static final long MAX_INFLATION = 1100;
    /** JSON entries (config, metadata) larger than this are refused. */
    static final int MAX_JSON_BYTES = 64 << 20;

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public KerasImporter() {}

    @Override public String format() { return "Keras"; }

    @Override public List<String> extensions() { return List.of(".keras", ".h5", ".hdf5"); }

    @Override
    public boolean accepts(byte[] head) {
        return H5.isHdf5(head) || isZip(head);
    }

    static boolean isZip(byte[] b) {
        return b.length >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
    }

    /** Reads a {@code .keras} or {@code .h5} file with default options. */
    public static Model read(Path path) throws IOException {
        return read(path, ImportOptions.DEFAULT);
    }

    /** Reads a {@code .keras} or {@code .h5} file. */
    public static Model read(Path path, ImportOptions options) throws IOException {
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no such model file");
        }
        return read(bytes, name, options);
    }

    /** Reads a model from the complete contents of a {@code .keras} or {@code .h5} file named {@code name}. */
    public static Model read(byte[] bytes, String name, ImportOptions options) throws ModelFormatException {
        try {
            if (isZip(bytes)) return fromKeras3(bytes, name, options);
            if (H5.isHdf5(bytes)) return fromLegacyH5(bytes, name, options);
        } catch (ModelFormatException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) { // a check of ours missed something: still one clean exception
            throw new ModelFormatException(name + ": cannot read this Keras file (" + H5.reason(e) + ")", e);
        }
        throw new ModelFormatException(name + ": not a Keras model file (" + (bytes.length == 0 ? "the file is empty"
                : "neither a .keras zip nor an HDF5 .h5 file") + ")");
    }

    @Override
    public Model load(byte[] bytes, String nameHint, ImportOptions options) throws IOException {
        return read(bytes, nameHint, options);
    }

    // ---------------- Keras 3 .keras ----------------

    private static Model fromKeras3(byte[] bytes, String name, ImportOptions options) throws ModelFormatException {
        Map<String, byte[]> entries = unzip(bytes, name);
        byte[] config = entries.get("config.json");
        if (config == null) throw new ModelFormatException(name + ": a zip without config.json: not a Keras .keras model");
        byte[] weights = entries.get("model.weights.h5");
        if (weights == null) {
            throw new ModelFormatException(name + ": no model.weights.h5 in the .keras file" + (entries.containsKey("model.weights.npz")
                    ? " (weights in .npz form are not supported)" : ""));
        }
        String version = "";
        String backend = "";
        if (entries.get("metadata.json") != null) {
            Object meta = json(entries.get("metadata.json"), name + ": metadata.json");
            if (meta instanceof Map<?, ?> mm) {
                if (mm.get("keras_version") instanceof String v) version = v;
                if (mm.get("backend") instanceof String v) backend = v;
            }
        }
        KerasConfig.KModel km = KerasConfig.parse(json(config, name + ": config.json"), name, version.startsWith("2."));
        try (H5 h5 = H5.open(weights, name + ": model.weights.h5")) {
            Translator t = new Translator(name, new WeightSource.V3(h5), options);
            Model m = t.build(km);
            card(m, t, km, name, "keras", version, backend, options);
            return m;
        }
    }

    /** The entries Keras writes, read with bounded memory; others are skipped. */
    private static Map<String, byte[]> unzip(byte[] bytes, String name) throws ModelFormatException {
        Map<String, byte[]> out = new HashMap<>();
        long budget = Math.min(Integer.MAX_VALUE - 64L, MAX_INFLATION * bytes.length + (1 << 20));
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            ZipEntry e;
            int count = 0;
            while ((e = z.getNextEntry()) != null) {
                if (++count > 10_000) throw new ModelFormatException(name + ": more than 10,000 zip entries");
                String n = e.getName();
                boolean wanted = n.equals("config.json") || n.equals("metadata.json") || n.equals("model.weights.h5")
                        || n.equals("model.weights.npz");
                long limit = n.endsWith(".json") ? MAX_JSON_BYTES : budget;
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                byte[] chunk = new byte[1 << 16];
                long total = 0;
                for (int r; (r = z.read(chunk)) > 0; ) {
                    total += r;
                    if (total > limit || total > budget) {
                        throw new ModelFormatException(name + ": zip entry '" + n + "' inflates to more than " + Math.min(limit, budget)
                                + " bytes (a zip bomb, or not a Keras file)");
                    }
                    if (wanted) buf.write(chunk, 0, r);
                }
                budget -= total;
                if (wanted && out.put(n, buf.toByteArray()) != null) {
                    throw new ModelFormatException(name + ": zip entry '" + n + "' appears twice");
                }
            }
        } catch (ModelFormatException ex) {
            throw ex;
        } catch (IOException | RuntimeException ex) {
            throw new ModelFormatException(name + ": corrupt zip (" + H5.reason(ex) + ")", ex);
        }
        return out;
    }

    // ---------------- Keras 2 / legacy HDF5 ----------------

    private static Model fromLegacyH5(byte[] bytes, String name, ImportOptions options) throws ModelFormatException {
        try (H5 h5 = H5.open(bytes, name)) {
            Node root = h5.node("/");
            String config = h5.stringAttr(root, "model_config");
            if (config == null) {
                boolean weightsOnly = h5.stringList(root, "layer_names") != null || h5.node("layers") != null
                        || h5.node("vars") != null || h5.node("model_weights") != null;
                throw new ModelFormatException(name + ": holds no architecture (no model_config attribute)"
                        + (weightsOnly ? ": it is a weights-only file (model.save_weights)" : "")
                        + "; save the whole model in Keras with model.save('model.keras') and import that");
            }
            String version = h5.stringAttr(root, "keras_version");
            String backend = h5.stringAttr(root, "backend");
            KerasConfig.KModel km = KerasConfig.parse(json(config.getBytes(StandardCharsets.UTF_8), name + ": model_config"), name, false);
            String weightsRoot = h5.node("model_weights") != null ? "model_weights" : "";
            Translator t = new Translator(name, new WeightSource.Legacy(h5, weightsRoot), options);
            Model m = t.build(km);
            card(m, t, km, name, "keras-h5", version == null ? "" : version, backend == null ? "" : backend, options);
            return m;
        }
    }

    private static Object json(byte[] utf8, String what) throws ModelFormatException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(what + ": not UTF-8 text", e);
        }
        try {
            return Json.parse(text);
        } catch (Json.Error e) {
            throw new ModelFormatException(what + ": " + e.getMessage(), e);
        }
    }

    // ---------------- card ----------------

    private static void card(Model m, Translator t, KerasConfig.KModel km, String file, String format, String version,
                             String backend, ImportOptions options) {
        ModelCard c = m.card();
        c.name(km.name).description("Keras " + km.cls + " model '" + km.name + "' imported from " + file
                + (version.isEmpty() ? "" : " (Keras " + version + ")"));
        float lo = options.hasInputRange() ? options.valueMin() : 0f;
        float hi = options.hasInputRange() ? options.valueMax() : 1f;
        Shape in = m.inputShape();
        if (in.rank() == 3) {
            int ch = in.dim(2);
            String space = ch == 1 ? "gray" : ch == 3 ? "rgb" : "";
            int multiple = t.anySize ? sizeMultiple(m) : -1;
            if (multiple > 0) c.input(new ModelCard.InputContract(ch, true, 0, 0, multiple, lo, hi, space));
            else c.input(new ModelCard.InputContract(ch, false, in.dim(0), in.dim(1), 0, lo, hi, space));
        }
        Map<String, String> x = c.extra();
        x.put("source", file);
        x.put("source_format", format);
        if (!version.isEmpty()) x.put("keras_version", version);
        if (!backend.isEmpty()) x.put("keras_backend", backend);
        if (t.channelsFirst) x.put("keras_data_format", "channels_first (imported as channels_last: Hush takes and returns NHWC)");
    }

    /** The smallest power-of-two multiple (1..64) at which the model takes several sizes; -1 if none. */
    static int sizeMultiple(Model m) {
        Shape in = m.inputShape();
        for (int mult = 1; mult <= 64; mult *= 2) {
            int base = mult * Math.max(1, (32 + mult - 1) / mult);
            boolean ok = true;
            for (int[] hw : new int[][] {{base, base + mult}, {base + mult, base + 2 * mult}, {base + 2 * mult, base}}) {
                try {
                    m.outputShape(Shape.of(hw[0], hw[1], in.dim(2)));
                } catch (IllegalArgumentException e) { // ShapeException too
                    ok = false;
                    break;
                }
            }
            if (ok) return mult;
        }
        return -1;
    }
}
