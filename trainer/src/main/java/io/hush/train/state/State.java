package io.hush.train.state;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Named values (long, double, string, float[], double[], long[]) written as one small binary file: the training
 * checkpoint format. Layout (big-endian, java.io.DataOutput):
 * <pre>
 *   "HUSHCKPT" (8 bytes)  int version (1)  int entryCount
 *   entryCount x { UTF key, byte type (1 long, 2 double, 3 string, 4 float[], 5 double[], 6 long[]), payload }
 *     arrays: int length, then the elements
 *   long CRC32 of everything before it
 * </pre>
 * Floats are stored as their exact bits, so a restored run continues bit for bit. {@link #write} goes through a
 * temporary file in the same folder and an atomic move, so a run killed mid-write leaves the old file intact.
 */
public final class State {
    static final byte[] MAGIC = "HUSHCKPT".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final int VERSION = 1;

    private final Map<String, Object> values = new LinkedHashMap<>();

    public Set<String> keys() { return values.keySet(); }

    public boolean has(String key) { return values.containsKey(key); }

    public void putLong(String k, long v) { values.put(k, v); }
    public void putDouble(String k, double v) { values.put(k, v); }
    public void putString(String k, String v) { values.put(k, v); }
    public void putFloats(String k, float[] v) { values.put(k, v.clone()); }
    public void putDoubles(String k, double[] v) { values.put(k, v.clone()); }
    public void putLongs(String k, long[] v) { values.put(k, v.clone()); }

    public long getLong(String k) { return get(k, Long.class); }
    public double getDouble(String k) { return get(k, Double.class); }
    public String getString(String k) { return get(k, String.class); }
    public float[] getFloats(String k) { return get(k, float[].class).clone(); }
    public double[] getDoubles(String k) { return get(k, double[].class).clone(); }
    public long[] getLongs(String k) { return get(k, long[].class).clone(); }

    public long getLong(String k, long dflt) { return has(k) ? getLong(k) : dflt; }
    public double getDouble(String k, double dflt) { return has(k) ? getDouble(k) : dflt; }

    private <T> T get(String k, Class<T> type) {
        Object v = values.get(k);
        if (v == null) throw new IllegalArgumentException("checkpoint has no entry '" + k + "'");
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("checkpoint entry '" + k + "' is a " + v.getClass().getSimpleName() + ", expected " + type.getSimpleName());
        }
        return type.cast(v);
    }

    /** Writes atomically: a temporary file next to {@code file}, then a move over it. */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = io.hush.data.TempFiles.beside(file);
        try {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                write(os);
            }
            io.hush.data.TempFiles.moveIntoPlace(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public void write(OutputStream os) throws IOException {
        CRC32 crc = new CRC32();
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(os, crc), 1 << 16));
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(values.size());
        for (Map.Entry<String, Object> e : values.entrySet()) {
            out.writeUTF(e.getKey());
            switch (e.getValue()) {
                case Long v -> { out.writeByte(1); out.writeLong(v); }
                case Double v -> { out.writeByte(2); out.writeDouble(v); }
                case String v -> { out.writeByte(3); out.writeUTF(v); }
                case float[] v -> {
                    out.writeByte(4);
                    out.writeInt(v.length);
                    for (float f : v) out.writeInt(Float.floatToRawIntBits(f));
                }
                case double[] v -> {
                    out.writeByte(5);
                    out.writeInt(v.length);
                    for (double d : v) out.writeDouble(d);
                }
                case long[] v -> {
                    out.writeByte(6);
                    out.writeInt(v.length);
                    for (long l : v) out.writeLong(l);
                }
                default -> throw new IllegalStateException("unsupported value for " + e.getKey());
            }
        }
        out.flush();
        long sum = crc.getValue();
        out.writeLong(sum);
        out.flush();
    }

    public static State read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such checkpoint file");
        try (InputStream is = Files.newInputStream(file)) {
            return read(is, file.toString());
        } catch (EOFException e) {
            throw new IOException(file + ": truncated checkpoint", e);
        }
    }

    public static State read(InputStream is, String what) throws IOException {
        CRC32 crc = new CRC32();
        CheckedInputStream cis = new CheckedInputStream(new BufferedInputStream(is, 1 << 16), crc);
        DataInputStream in = new DataInputStream(cis);
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) throw new IOException(what + ": not a Hush checkpoint (bad magic)");
        int version = in.readInt();
        if (version != VERSION) throw new IOException(what + ": checkpoint version " + version + ", this build reads " + VERSION);
        int count = in.readInt();
        if (count < 0) throw new IOException(what + ": corrupt checkpoint (entry count " + count + ")");
        State st = new State();
        for (int i = 0; i < count; i++) {
            String key = in.readUTF();
            int type = in.readByte();
            Object v = switch (type) {
                case 1 -> in.readLong();
                case 2 -> in.readDouble();
                case 3 -> in.readUTF();
                case 4 -> {
                    float[] a = new float[length(in, what, 4)];
                    for (int j = 0; j < a.length; j++) a[j] = Float.intBitsToFloat(in.readInt());
                    yield a;
                }
                case 5 -> {
                    double[] a = new double[length(in, what, 8)];
                    for (int j = 0; j < a.length; j++) a[j] = in.readDouble();
                    yield a;
                }
                case 6 -> {
                    long[] a = new long[length(in, what, 8)];
                    for (int j = 0; j < a.length; j++) a[j] = in.readLong();
                    yield a;
                }
                default -> throw new IOException(what + ": corrupt checkpoint (entry '" + key + "' has type " + type + ")");
            };
            st.values.put(key, v);
        }
        long want = crc.getValue();
        long got = in.readLong();
        if (want != got) throw new IOException(what + ": checkpoint checksum mismatch (file damaged)");
        return st;
    }

    private static int length(DataInputStream in, String what, int bytesPer) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (1 << 30) / bytesPer * 2) throw new IOException(what + ": corrupt checkpoint (array length " + n + ")");
        return n;
    }
}
