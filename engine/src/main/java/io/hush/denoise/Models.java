package io.hush.denoise;

import io.hush.engine.Model;
import io.hush.engine.graph.FoldBatchNorm;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads a model file of any kind the engine reads and prepares it for inference — what {@link Denoiser#open} and
 * every {@code --model} of the CLI do, so the library and the command line run the same graph.
 *
 * {@link Model#load(Path)} tells the kinds apart by their first bytes: {@code .hush}, ONNX, and Keras files when the
 * hush-keras module is on the class path.
 */
public final class Models {
    private Models() {}

    /** Loads a model file (as stored: BatchNorm not folded, trainable): {@link Model#load(Path)}. */
    public static Model load(Path file) throws IOException {
        requireVectorModule();
        return Model.load(file);
    }

    /** Loads a model from the bytes of a model file; {@code source} names it in messages. */
    public static Model load(byte[] bytes, String source) throws IOException {
        requireVectorModule();
        return Model.load(bytes, source);
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
}
