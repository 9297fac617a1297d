package io.hush.keras;

import io.hush.engine.io.ModelFormatException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.FloatingPoint;

import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The few HDF5 reads Keras files need, over an in-memory jhdf file: nodes by path, string and string-list
 * attributes (including Keras's chunked {@code name0, name1, ...} form for lists over 64 KB), and float datasets of
 * an expected shape. Whatever the reader throws on a malformed file is turned into a {@link ModelFormatException}
 * naming the file and the HDF5 path; a dataset is read only after its shape matched, so a hostile file cannot make
 * it allocate more than the model's own parameters.
 */
final class H5 implements AutoCloseable {
    static final byte[] MAGIC = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1A, '\n'};

    static {
        // jhdf logs through slf4j-api; with no binding on the class path slf4j prints a three-line warning to stderr
        // the first time. Say only errors unless the application chose its own verbosity.
        if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "ERROR");
    }

    private final HdfFile file;
    final String src;
    /** Most bytes a dataset may decode to: what the file could hold, compressed at deflate's best ratio. */
    private final long maxDatasetBytes;

    private H5(HdfFile file, String src, long fileBytes) {
        this.file = file;
        this.src = src;
        this.maxDatasetBytes = 1100 * fileBytes + (1 << 20);
    }

    static boolean isHdf5(byte[] b) {
        if (b.length < MAGIC.length) return false;
        for (int i = 0; i < MAGIC.length; i++) if (b[i] != MAGIC[i]) return false;
        return true;
    }

    /** Opens an HDF5 file held in memory; {@code src} names it in messages ("model.keras/model.weights.h5"). */
    static H5 open(byte[] bytes, String src) throws ModelFormatException {
        if (!isHdf5(bytes)) throw new ModelFormatException(src + ": not an HDF5 file (no HDF5 signature)");
        try {
            return new H5(HdfFile.fromBytes(bytes), src, bytes.length);
        } catch (RuntimeException | StackOverflowError e) {
            throw new ModelFormatException(src + ": corrupt HDF5 file (" + reason(e) + ")", e);
        }
    }

    /** A short one-line description of what the HDF5 reader threw. */
    static String reason(Throwable e) {
        String m = e.getMessage();
        String s = e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
        s = s.replace('\n', ' ').replace('\r', ' ');
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** The node at this path, or null when there is none. */
    Node node(String path) throws ModelFormatException {
        try {
            Node n = file;
            for (String part : path.split("/")) {
                if (part.isEmpty()) continue;
                if (!(n instanceof Group g)) return null;
                n = g.getChildren().get(part);
                if (n == null) return null;
            }
            return n;
        } catch (RuntimeException | StackOverflowError e) {
            throw new ModelFormatException(src + ": corrupt HDF5 at '" + path + "' (" + reason(e) + ")", e);
        }
    }

    /** Child names of a group in stored order, or an empty list for a non-group. */
    List<String> children(Node n) throws ModelFormatException {
        try {
            return n instanceof Group g ? new ArrayList<>(g.getChildren().keySet()) : List.of();
        } catch (RuntimeException | StackOverflowError e) {
            throw new ModelFormatException(src + ": corrupt HDF5 at '" + path(n) + "' (" + reason(e) + ")", e);
        }
    }

    /** A scalar string attribute (or a one-element string array), or null when absent. */
    String stringAttr(Node n, String name) throws ModelFormatException {
        List<String> l = strings(n, name);
        if (l == null) return null;
        if (l.size() != 1) throw new ModelFormatException(src + ": attribute '" + name + "' of '" + path(n) + "' is not one string");
        return l.get(0);
    }

    /**
     * A list-of-strings attribute; Keras splits lists longer than HDF5's 64 KB header limit into {@code name0},
     * {@code name1}, ... which are joined here. Null when absent.
     */
    List<String> stringList(Node n, String name) throws ModelFormatException {
        List<String> l = strings(n, name);
        if (l != null) return l;
        List<String> all = new ArrayList<>();
        for (int k = 0; ; k++) {
            List<String> chunk = strings(n, name + k);
            if (chunk == null) return k == 0 ? null : all;
            all.addAll(chunk);
        }
    }

    private List<String> strings(Node n, String name) throws ModelFormatException {
        try {
            Attribute a = n.getAttributes().get(name);
            if (a == null) return null;
            Object d = a.getData();
            List<String> out = new ArrayList<>();
            flatten(d, out, n, name);
            return out;
        } catch (ModelFormatException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new ModelFormatException(src + ": corrupt HDF5 attribute '" + name + "' of '" + path(n) + "' (" + reason(e) + ")", e);
        }
    }

    private void flatten(Object d, List<String> out, Node n, String name) throws ModelFormatException {
        if (d instanceof String s) out.add(s);
        else if (d instanceof byte[] b) out.add(new String(b, StandardCharsets.UTF_8));
        else if (d != null && d.getClass().isArray()) {
            int len = Array.getLength(d);
            if (len > 1_000_000) throw new ModelFormatException(src + ": attribute '" + name + "' has " + len + " entries");
            for (int i = 0; i < len; i++) flatten(Array.get(d, i), out, n, name);
        } else {
            throw new ModelFormatException(src + ": attribute '" + name + "' of '" + path(n) + "' is not text ("
                    + (d == null ? "empty" : d.getClass().getSimpleName()) + ")");
        }
    }

    /**
     * The values of a float dataset, row-major, after checking that its shape is {@code want}; {@code what} names it
     * in messages ("layer 'conv2d' (Conv2D) kernel").
     */
    float[] floats(Node n, int[] want, String what) throws ModelFormatException {
        if (!(n instanceof Dataset ds)) {
            throw new ModelFormatException(src + ": " + what + ": '" + path(n) + "' is not a dataset");
        }
        try {
            long[] dims = ds.getDimensionsAsLong();
            long[] wantL = Arrays.stream(want).asLongStream().toArray();
            boolean scalarOk = want.length == 0 && dims.length == 0;
            if (!scalarOk && !Arrays.equals(dims, wantL)) {
                throw new ModelFormatException(src + ": " + what + " at '" + path(n) + "' has shape "
                        + Arrays.toString(dims).replace(" ", "") + ", expected " + Arrays.toString(want).replace(" ", ""));
            }
            if (!(ds.getDataType() instanceof FloatingPoint fp) || (fp.getSize() != 4 && fp.getSize() != 8 && fp.getSize() != 2)) {
                throw new ModelFormatException(src + ": " + what + " at '" + path(n) + "' is not float16/32/64 data ("
                        + ds.getDataType().getClass().getSimpleName() + " of " + ds.getDataType().getSize() + " bytes)");
            }
            long count = Arrays.stream(want).asLongStream().reduce(1, Math::multiplyExact);
            if (count * fp.getSize() > maxDatasetBytes || count > Integer.MAX_VALUE - 8) {
                throw new ModelFormatException(src + ": " + what + " at '" + path(n) + "' claims " + count + " values, more than"
                        + " a file of this size can hold");
            }
            Object flat = ds.getDataFlat();
            float[] v = new float[Math.toIntExact(Arrays.stream(want).asLongStream().reduce(1, Math::multiplyExact))];
            if (flat instanceof float[] f) System.arraycopy(f, 0, v, 0, Math.min(f.length, v.length));
            else if (flat instanceof double[] dd) for (int i = 0; i < Math.min(dd.length, v.length); i++) v[i] = (float) dd[i];
            else throw new ModelFormatException(src + ": " + what + " at '" + path(n) + "': unreadable float data ("
                        + (flat == null ? "none" : flat.getClass().getSimpleName()) + ")");
            if (Array.getLength(flat) != v.length) {
                throw new ModelFormatException(src + ": " + what + " at '" + path(n) + "' holds " + Array.getLength(flat)
                        + " values, its shape says " + v.length);
            }
            return v;
        } catch (ModelFormatException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new ModelFormatException(src + ": " + what + ": corrupt HDF5 dataset '" + path(n) + "' (" + reason(e) + ")", e);
        }
    }

    /** Shape of a dataset (for messages), or null for a group. */
    long[] shape(Node n) throws ModelFormatException {
        try {
            return n instanceof Dataset ds ? ds.getDimensionsAsLong() : null;
        } catch (RuntimeException | StackOverflowError e) {
            throw new ModelFormatException(src + ": corrupt HDF5 dataset '" + path(n) + "' (" + reason(e) + ")", e);
        }
    }

    /** The node's HDF5 path without the leading slash, as Keras names groups ("layers/conv2d/vars/0"). */
    static String path(Node n) {
        String p = n.getPath();
        return p.startsWith("/") ? p.substring(1) : p;
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (RuntimeException e) {
            // an in-memory file has nothing to release that matters
        }
    }
}
