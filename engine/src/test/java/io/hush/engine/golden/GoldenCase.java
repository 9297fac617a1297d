package io.hush.engine.golden;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * One fixture folder under test resources {@code golden/<name>/}: {@code meta.properties} plus .npy arrays, written
 * by tools/golden/make_golden.py. Arrays are in PyTorch layouts; {@link Layouts} converts them.
 */
public final class GoldenCase {
    public final String name;
    public final Properties meta = new Properties();

    public GoldenCase(String name) {
        this.name = name;
        try (InputStream in = resource("meta.properties")) {
            meta.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of every case whose meta says {@code layer=<layer>}, sorted. */
    public static List<String> casesOf(String layer) {
        URL root = GoldenCase.class.getResource("/golden");
        assertNotNull(root, "test resource folder golden/ is missing (run tools/golden/make_golden.py)");
        try (Stream<Path> dirs = Files.list(Path.of(root.toURI()))) {
            return dirs.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> layer.equals(new GoldenCase(n).meta.getProperty("layer")))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private InputStream resource(String file) {
        InputStream in = GoldenCase.class.getResourceAsStream("/golden/" + name + "/" + file);
        if (in == null) throw new IllegalArgumentException("golden case " + name + " has no " + file);
        return in;
    }

    public boolean has(String array) {
        return GoldenCase.class.getResource("/golden/" + name + "/" + array + ".npy") != null;
    }

    public Npy npy(String array) {
        try (InputStream in = resource(array + ".npy")) {
            return Npy.read(name + "/" + array + ".npy", in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public float[] array(String array) { return npy(array).data(); }

    public int[] shape(String array) { return npy(array).shape(); }

    public String str(String key) {
        String v = meta.getProperty(key);
        if (v == null) throw new IllegalArgumentException("golden case " + name + ": meta has no " + key);
        return v;
    }

    public int integer(String key) { return Integer.parseInt(str(key)); }

    public float real(String key) { return Float.parseFloat(str(key)); }

    public boolean bool(String key) { return Boolean.parseBoolean(str(key)); }

    @Override public String toString() { return name; }
}
