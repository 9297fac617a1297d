package io.hush.engine.io;

import io.hush.engine.Model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds the {@link ModelImporter} for a foreign model file by its extension, through {@link ServiceLoader}: an
 * importer module on the class path (io.hush:hush-keras for {@code .keras}/{@code .h5}) registers itself, and the
 * engine needs no compile-time knowledge of it. Without it, a known foreign extension gives a message that says
 * which artifact to add.
 *
 * <pre>{@code
 * if (ModelImporters.handles(path)) model = ModelImporters.load(path);   // .keras, .h5, ...
 * else model = Model.load(path);                                          // .hush
 * }</pre>
 */
public final class ModelImporters {
    /** Extensions Hush knows an importer module for, and that module's Maven coordinates. */
    static final Map<String, String> KNOWN = Map.of(
            ".keras", "io.hush:hush-keras",
            ".h5", "io.hush:hush-keras",
            ".hdf5", "io.hush:hush-keras");

    private ModelImporters() {}

    /** Every importer on the class path (of this class's loader), in service order. */
    public static List<ModelImporter> all() {
        List<ModelImporter> list = new ArrayList<>();
        for (ModelImporter i : ServiceLoader.load(ModelImporter.class, ModelImporters.class.getClassLoader())) list.add(i);
        return list;
    }

    /** The file's extension, lower case with the dot ("" when none). */
    static String extension(Path path) {
        Path f = path.getFileName();
        String name = f == null ? "" : f.toString();
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? "" : name.substring(dot).toLowerCase(Locale.ROOT);
    }

    /**
     * The importer for a file with these first bytes and this name: the first whose {@link ModelImporter#accepts}
     * recognises the bytes, else the one registered for the extension.
     */
    public static Optional<ModelImporter> forContent(byte[] head, String name) {
        for (ModelImporter i : all()) if (i.accepts(head)) return Optional.of(i);
        String ext = extension(Path.of(name.isEmpty() ? "model" : name.replace('/', '_').replace('\\', '_')));
        for (ModelImporter i : all()) if (i.extensions().contains(ext)) return Optional.of(i);
        return Optional.empty();
    }

    /** The error for a file no importer reads (naming the module to add for a known extension). */
    public static ModelFormatException unreadable(String name) {
        return missing(name, extension(Path.of(name.isEmpty() ? "model" : name.replace('/', '_').replace('\\', '_'))));
    }

    /** The importer registered for this file's extension, if any is on the class path. */
    public static Optional<ModelImporter> forFile(Path path) {
        String ext = extension(path);
        if (ext.isEmpty()) return Optional.empty();
        for (ModelImporter i : all()) if (i.extensions().contains(ext)) return Optional.of(i);
        return Optional.empty();
    }

    /**
     * Whether this file is for an importer rather than the native reader: its extension belongs to a registered
     * importer or to a format Hush knows an importer module for (then {@link #load} explains what to add).
     */
    public static boolean handles(Path path) {
        return KNOWN.containsKey(extension(path)) || forFile(path).isPresent();
    }

    /** Loads a foreign model file with default options; see {@link #load(Path, ImportOptions)}. */
    public static Model load(Path path) throws IOException {
        return load(path, ImportOptions.DEFAULT);
    }

    /**
     * Loads a foreign model file with the importer for its extension. Throws {@link ModelFormatException} naming the
     * file when no importer is on the class path ("add io.hush:hush-keras to read .keras files") or when the bytes are
     * not what the extension says (a {@code .keras} that is not a zip, ...).
     */
    public static Model load(Path path, ImportOptions options) throws IOException {
        String ext = extension(path);
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        ModelImporter importer = forFile(path).orElseThrow(() -> missing(name, ext));
        if (!Files.exists(path)) throw new NoSuchFileException(path.toString(), null, "no such model file");
        return importer.load(path, options);
    }

    /** Loads a foreign model from the complete contents of a file named {@code nameHint} (its extension chooses). */
    public static Model load(byte[] bytes, String nameHint, ImportOptions options) throws IOException {
        String ext = extension(Path.of(nameHint.isEmpty() ? "model" : nameHint.replace('/', '_').replace('\\', '_')));
        for (ModelImporter i : all()) if (i.extensions().contains(ext)) return i.load(bytes, nameHint, options);
        throw missing(nameHint, ext);
    }

    private static ModelFormatException missing(String name, String ext) {
        String module = KNOWN.get(ext);
        if (module != null) {
            return new ModelFormatException(name + ": no importer for " + ext + " files on the class path: add " + module
                    + " to read " + ext + " files");
        }
        return new ModelFormatException(name + ": no importer for " + (ext.isEmpty() ? "files without an extension" : ext
                + " files") + " (known: .hush" + (all().isEmpty() ? "" : ", " + String.join(", ", registered())) + ")");
    }

    private static List<String> registered() {
        List<String> exts = new ArrayList<>();
        for (ModelImporter i : all()) exts.addAll(i.extensions());
        return exts;
    }
}
