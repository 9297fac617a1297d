package io.hush.engine.io;

import io.hush.engine.Model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads models written by another framework (a Keras {@code .keras} / {@code .h5} file, ...) as ordinary Hush
 * {@link Model}s, which can then be run, fine-tuned and saved as {@code .hush}. Implementations live in optional
 * modules (io.hush:hush-keras) and register themselves in
 * {@code META-INF/services/io.hush.engine.io.ModelImporter}; {@link ModelImporters} finds them by file extension, so
 * the engine itself depends on none of their libraries.
 *
 * <p>Contract: any bad content ends in one {@link ModelFormatException} whose message starts with the file name
 * (or the name hint) and says what is wrong and where; an importer never loads native code.
 */
public interface ModelImporter {
    /** Short name of the format, for messages and listings: "Keras". */
    String format();

    /** File name extensions this importer reads, lower case with the dot: {@code [".keras", ".h5"]}. */
    List<String> extensions();

    /** Whether a file starting with these bytes (the first 8 or more, fewer if the file is shorter) looks like this format. */
    boolean accepts(byte[] head);

    /** Reads a model file with default options. */
    default Model load(Path path) throws IOException {
        return load(path, ImportOptions.DEFAULT);
    }

    /** Reads a model file. */
    default Model load(Path path, ImportOptions options) throws IOException {
        return load(Files.readAllBytes(path), path.getFileName().toString(), options);
    }

    /** Reads a model from the complete contents of a file; {@code nameHint} is its name (for messages and the card). */
    default Model load(byte[] bytes, String nameHint) throws IOException {
        return load(bytes, nameHint, ImportOptions.DEFAULT);
    }

    /** Reads a model from the complete contents of a file. */
    Model load(byte[] bytes, String nameHint, ImportOptions options) throws IOException;
}
