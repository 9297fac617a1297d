package io.hush.denoise;

import io.hush.engine.Model;
import io.hush.engine.graph.FoldBatchNorm;
import io.hush.engine.io.HushFormat;
import io.hush.engine.io.ImportOptions;
import io.hush.engine.io.ModelImporter;
import io.hush.engine.io.ModelImporters;
import io.hush.engine.io.ModelFormatException;
import io.hush.engine.onnx.OnnxImporter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Loads a model file of any kind the engine reads and prepares it for inference — what {@link Denoiser#open} and
 * every {@code --model} of the CLI do, so the library and the command line run the same graph.
 *
 * <p>The kind comes from the file's first bytes, not its name: {@code .hush} (magic {@code \x89HUSH}), Keras 3
 * {@code .keras} (a zip), HDF5 {@code .h5} (magic {@code \x89HDF}), else ONNX (a protobuf {@code ModelProto}).
 */
public final class Models {
    private Models() {}

    /** The kinds of model file, as recognised by {@link #kind}. */
    public enum Kind { HUSH, ONNX, KERAS, HDF5 }

    private static final byte[] HUSH_MAGIC = {(byte) 0x89, 'H', 'U', 'S', 'H'};
    private static final byte[] HDF5_MAGIC = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1A, '\n'};
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    /** The kind of a model file from its first bytes (and, for an empty or unknown head, its name). */
    public static Kind kind(byte[] head, String name) {
        if (startsWith(head, HUSH_MAGIC)) return Kind.HUSH;
        if (startsWith(head, HDF5_MAGIC)) return Kind.HDF5;
        if (startsWith(head, ZIP_MAGIC)) return Kind.KERAS;
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".hush")) return Kind.HUSH; // a truncated .hush: let its reader say what is wrong
        return Kind.ONNX;
    }

    /** Loads a model file (as stored: BatchNorm not folded, trainable). */
    public static Model load(Path file) throws IOException {
        requireVectorModule();
        if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such model file");
        if (Files.isDirectory(file)) throw new IOException(file + ": is a folder, not a model file");
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        return switch (kind(Arrays.copyOf(head, n), file.getFileName().toString())) {
            case HUSH -> HushFormat.load(file);
            case ONNX -> OnnxImporter.read(file);
            case KERAS, HDF5 -> KerasBridge.load(file);
        };
    }

    /** Loads a model from the bytes of a model file; {@code source} names it in messages. */
    public static Model load(byte[] bytes, String source) throws IOException {
        requireVectorModule();
        return switch (kind(Arrays.copyOf(bytes, Math.min(bytes.length, 8)), source)) {
            case HUSH -> HushFormat.fromBytes(bytes, source);
            case ONNX -> OnnxImporter.read(bytes, source, 0, 0);
            case KERAS, HDF5 -> KerasBridge.load(bytes, source);
        };
    }

    /**
     * The model as inference runs it: BatchNorm layers that follow a convolution folded into it
     * ({@link FoldBatchNorm}: one pass less over each such activation, no change beyond float rounding). Consumes
     * {@code m}: returns it as is when there is nothing to fold, else a new model (and closes {@code m}).
     */
    public static Model forInference(Model m) {
        if (FoldBatchNorm.foldablePairs(m) == 0) return m;
        try (Model source = m) {
            return FoldBatchNorm.fold(source);
        }
    }

    /** The file name without its extension. */
    public static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /**
     * Fails early, with the fix, when the JVM was started without the Vector API module (otherwise the first kernel
     * would die with a NoClassDefFoundError deep inside).
     */
    public static void requireVectorModule() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            throw new IllegalStateException("Hush needs the JVM option --add-modules jdk.incubator.vector (the Vector API"
                    + " module); add it to the java command (and --enable-native-access=ALL-UNNAMED)");
        }
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        if (a.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (a[i] != prefix[i]) return false;
        return true;
    }

    /**
     * Keras files go to the importer registered for them ({@link ModelImporters}: the optional hush-keras module);
     * without it the message names the artifact to add.
     */
    private static final class KerasBridge {
        static Model load(Path file) throws IOException {
            byte[] head = new byte[8];
            int n;
            try (InputStream in = Files.newInputStream(file)) {
                n = in.readNBytes(head, 0, head.length);
            }
            byte[] h = Arrays.copyOf(head, n);
            for (ModelImporter i : ModelImporters.all()) {
                if (i.accepts(h)) return i.load(file, ImportOptions.DEFAULT);
            }
            throw missing(file.toString());
        }

        static Model load(byte[] bytes, String source) throws IOException {
            byte[] h = Arrays.copyOf(bytes, Math.min(bytes.length, 8));
            for (ModelImporter i : ModelImporters.all()) {
                if (i.accepts(h)) return i.load(bytes, source, ImportOptions.DEFAULT);
            }
            throw missing(source);
        }

        private static ModelFormatException missing(String source) {
            return new ModelFormatException(source + ": a Keras file; reading it needs the io.hush:hush-keras module on the class path");
        }
    }
}
