package io.hush.cli;

import io.hush.engine.Model;
import io.hush.denoise.Models;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Finds and loads models named on the command line. {@code --model} takes a file ({@code .hush} or {@code .onnx})
 * or a name: {@code NAME} is looked up as {@code NAME.hush} (then {@code NAME.onnx}) in the repository's
 * {@code weights/} folder (the launcher passes it as {@code -Dhush.home}; otherwise it is searched upwards from the
 * jar and the current folder), then as a bundled resource {@code /weights/NAME.hush} inside the jar.
 */
final class ModelFiles {
    /** The shipped default model's name. */
    static final String DEFAULT = "gray-blind";

    private ModelFiles() {}

    /** A model found by name or path: where it came from and how to open it. */
    record Found(String name, Path file, String resource) {
        Model load() {
            try {
                if (file != null) return loadFile(file);
                try (InputStream in = ModelFiles.class.getResourceAsStream(resource)) {
                    if (in == null) throw new CliException(resource + ": bundled model vanished");
                    return Models.load(in.readAllBytes(), resource);
                }
            } catch (IOException e) {
                throw new CliException(Main.oneLine(e.getMessage()), e);
            }
        }

        /**
         * {@link #load} for inference: BatchNorm layers that follow a convolution are folded into it
         * ({@link FoldBatchNorm}), which saves a pass over every such activation (and changes no output beyond float
         * rounding).
         */
        Model loadForInference() {
            return Models.forInference(load());
        }

        String where() { return file != null ? file.toString() : "bundled " + resource; }
    }

    /** Finds {@code spec} (a file or a name); null if a name is found nowhere. */
    static Found find(String spec) {
        Path p = Path.of(spec);
        if (Files.isRegularFile(p)) return new Found(stem(p), p, null);
        if (Files.isDirectory(p)) throw new CliException(spec + ": is a folder, not a model file");
        String lower = spec.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".hush") || lower.endsWith(".onnx") || spec.contains("/") || spec.contains("\\")) {
            throw new CliException(spec + ": no such model file");
        }
        Path weights = weightsFolder();
        if (weights != null) {
            for (String ext : new String[] {".hush", ".onnx"}) {
                Path f = weights.resolve(spec + ext);
                if (Files.isRegularFile(f)) return new Found(spec, f, null);
            }
        }
        String res = "/weights/" + spec + ".hush";
        if (ModelFiles.class.getResource(res) != null) return new Found(spec, null, res);
        return null;
    }

    /** Like {@link #find} but a missing name is an error listing what exists. */
    static Found require(String spec) {
        Found f = find(spec);
        if (f != null) return f;
        List<String> names = available();
        throw new CliException("no model named '" + spec + "' (looked for " + spec + ".hush in "
                + (weightsFolder() == null ? "weights/ (not found)" : weightsFolder()) + " and inside the jar); "
                + (names.isEmpty() ? "no models are installed yet: train one with 'hush train'"
                : "available: " + String.join(", ", names)));
    }

    /** Loads a model file by its content (.hush, .onnx, .keras/.h5: see {@link Models#load(Path)}). */
    static Model loadFile(Path file) throws IOException {
        return Models.load(file);
    }

    /** Names of the models in weights/. */
    static List<String> available() {
        List<String> names = new ArrayList<>();
        Path w = weightsFolder();
        if (w == null) return names;
        try (Stream<Path> s = Files.list(w)) {
            s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".hush") || n.endsWith(".onnx"))
                    .sorted()
                    .forEach(n -> names.add(n.substring(0, n.lastIndexOf('.'))));
        } catch (IOException e) {
            // nothing listed
        }
        return names;
    }

    /** The repository's weights/ folder, or null if none is found. */
    static Path weightsFolder() {
        Path home = home();
        return home == null ? null : home.resolve("weights");
    }

    /**
     * The repository root: {@code -Dhush.home}, else the first folder upwards from the jar (or classes folder) and
     * then from the current folder that has a {@code weights/} folder.
     */
    static Path home() {
        String prop = System.getProperty("hush.home");
        if (prop != null && !prop.isBlank()) return Path.of(prop);
        List<Path> starts = new ArrayList<>();
        try {
            starts.add(Path.of(ModelFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            // no code source: only the current folder
        }
        starts.add(Path.of("").toAbsolutePath());
        for (Path s : starts) {
            for (Path d = s.toAbsolutePath(); d != null; d = d.getParent()) {
                if (Files.isDirectory(d.resolve("weights"))) return d;
            }
        }
        return null;
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
