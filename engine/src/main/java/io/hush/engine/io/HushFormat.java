package io.hush.engine.io;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.DiscardUnknownFieldsParser;
import com.google.protobuf.InvalidProtocolBufferException;
import io.hush.engine.Model;
import io.hush.engine.io.proto.HushModel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Properties;
import java.util.zip.CRC32C;

/**
 * Reads and writes Hush model files ({@code .hush}): an 8-byte magic, a format version, the payload length, a
 * protobuf {@code hush.format.HushModel} (engine/src/main/proto/hush.proto documents the layout) and a CRC-32C of
 * the payload.
 *
 * <p>Loading survives any bytes: whatever is wrong with a file (not a Hush file, truncated, corrupt, a newer format,
 * a graph or parameters that do not make a valid model, sizes meant to exhaust memory) ends in one
 * {@link ModelFormatException} whose message starts with the file name and says what and where; memory is only
 * allocated once sizes are checked against the file's length. Saving writes a temporary file in the target's folder
 * and moves it into place, so a crash never leaves a half-written model under the real name.
 */
public final class HushFormat {
    public static final String EXTENSION = ".hush";
    /** Format version written today; a reader accepts this and every older one. */
    public static final int FORMAT_VERSION = 1;
    static final byte[] MAGIC = {(byte) 0x89, 'H', 'U', 'S', 'H', '\r', '\n', 0x1A};
    static final int HEADER_BYTES = 20;
    static final int TRAILER_BYTES = 4;
    /** protobuf-java parses at most 2 GiB; models are far smaller. */
    static final long MAX_PAYLOAD = Integer.MAX_VALUE - 64;
    /** Our messages nest 4 deep; unknown fields (groups) may not go much deeper. */
    static final int RECURSION_LIMIT = 32;

    private static final String VERSION = readVersion();
    /** Marks a problem no check caught (a reader bug); the fuzz test fails on it. */
    static final String INTERNAL = "internal error in the reader: ";

    private HushFormat() {}

    /** Version of this Hush build ("0.1.0-SNAPSHOT"), written into every file's card. */
    public static String hushVersion() { return VERSION; }

    /**
     * Whether a file with these first bytes and this name is (meant to be) a Hush model: the magic, or a short or
     * empty head with the {@code .hush} extension (then its reader says what is wrong with it).
     */
    public static boolean isHush(byte[] head, String name) {
        if (head.length >= 5 && head[0] == MAGIC[0] && head[1] == MAGIC[1] && head[2] == MAGIC[2] && head[3] == MAGIC[3]
                && head[4] == MAGIC[4]) return true;
        return name.toLowerCase(java.util.Locale.ROOT).endsWith(EXTENSION);
    }

    // ---------------- writing ----------------

    /** Saves with exact float32 parameters. */
    public static void save(Model model, Path path) throws IOException {
        save(model, path, Storage.FLOAT32);
    }

    /** Saves atomically: a temporary file beside {@code path}, flushed to disk, then moved over it. */
    public static void save(Model model, Path path, Storage storage) throws IOException {
        byte[] bytes = toBytes(model, storage);
        Path abs = path.toAbsolutePath();
        Path dir = abs.getParent();
        // Not Files.createTempFile: that makes the file owner-only (0600); a model file gets the usual umask mode.
        Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        boolean done = false;
        try {
            try (ch) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // make the rename itself durable (POSIX); not possible everywhere, and then not needed
        } catch (IOException | UnsupportedOperationException e) {
            // e.g. Windows cannot open a directory: the move is as durable as the OS makes it
        }
    }

    public static void write(Model model, OutputStream out, Storage storage) throws IOException {
        out.write(toBytes(model, storage));
    }

    /** The complete file contents for this model. */
    public static byte[] toBytes(Model model, Storage storage) {
        return container(ModelEncoder.encode(model, storage, Instant.now(), VERSION).toByteArray(), FORMAT_VERSION);
    }

    /** Header + payload + checksum (package-private: tests build hostile files around hand-made payloads). */
    static byte[] container(byte[] payload, int formatVersion) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.length + TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(formatVersion).putLong(payload.length).put(payload).putInt(crc(payload, payload.length));
        return b.array();
    }

    // ---------------- reading ----------------

    public static Model load(Path path) throws IOException {
        String src = path.toString();
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(src, null, "no such model file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, src, size);
        }
    }

    public static Model read(InputStream in) throws IOException {
        return read(in, "<stream>", -1);
    }

    /** Reads a model from a stream; {@code source} names it in messages. */
    public static Model read(InputStream in, String source) throws IOException {
        return read(in, source, -1);
    }

    /** Reads a model from the complete contents of a file. */
    public static Model fromBytes(byte[] file, String source) throws ModelFormatException {
        try {
            return read(new java.io.ByteArrayInputStream(file), source, file.length);
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new AssertionError("a byte array stream does not fail", e);
        }
    }

    /** {@code knownSize} is the file length when known (-1 otherwise), to reject impossible lengths before reading. */
    private static Model read(InputStream in, String src, long knownSize) throws IOException {
        byte[] header = in.readNBytes(HEADER_BYTES);
        if (header.length > 0 && header.length < MAGIC.length && startsWith(MAGIC, header)) {
            throw new ModelFormatException(src + ": truncated: " + header.length + " bytes, shorter than the "
                    + HEADER_BYTES + "-byte header");
        }
        if (header.length < MAGIC.length || !startsWith(header, MAGIC)) {
            throw new ModelFormatException(src + ": not a Hush model file (" + sniff(header) + ")");
        }
        if (header.length < HEADER_BYTES) {
            throw new ModelFormatException(src + ": truncated: " + header.length + " bytes, shorter than the "
                    + HEADER_BYTES + "-byte header");
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        long version = Integer.toUnsignedLong(h.getInt(8));
        long length = h.getLong(12);
        if (version == 0 || version > FORMAT_VERSION) {
            throw new ModelFormatException(src + ": format version " + version + (version == 0 ? " is invalid"
                    : " is newer than this Hush reads (" + FORMAT_VERSION + "); upgrade Hush (" + VERSION + ")"));
        }
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new ModelFormatException(src + ": header: payload length " + Long.toUnsignedString(length)
                    + " is out of range (0.." + MAX_PAYLOAD + ")");
        }
        long expected = HEADER_BYTES + length + TRAILER_BYTES;
        if (knownSize >= 0 && knownSize != expected) {
            throw new ModelFormatException(src + ": " + (knownSize < expected ? "truncated" : "trailing data") + ": the file is "
                    + knownSize + " bytes, its header declares " + expected);
        }
        // readNBytes grows its buffer as data arrives, so a false length on a short stream allocates nothing big
        byte[] payload = in.readNBytes((int) length);
        byte[] trailer = in.readNBytes(TRAILER_BYTES);
        if (payload.length < length || trailer.length < TRAILER_BYTES) {
            throw new ModelFormatException(src + ": truncated: the header declares " + expected + " bytes, the file ends after "
                    + (HEADER_BYTES + payload.length + trailer.length));
        }
        if (in.read() != -1) {
            throw new ModelFormatException(src + ": trailing data after the " + expected + " bytes the header declares");
        }
        int stored = ByteBuffer.wrap(trailer).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int actual = crc(payload, payload.length);
        if (stored != actual) {
            throw new ModelFormatException(src + ": corrupt: checksum mismatch (CRC-32C stored " + hex(stored)
                    + ", computed " + hex(actual) + ")");
        }
        return decode(payload, src);
    }

    /** Parses and validates a payload (no header): what {@link #read} does after the checksum. Package-private for the fuzz test. */
    static Model decode(byte[] payload, String src) throws ModelFormatException {
        HushModel m;
        try {
            PayloadScanner.scan(payload); // bounds what parsing allocates
            CodedInputStream cis = CodedInputStream.newInstance(payload);
            cis.setRecursionLimit(RECURSION_LIMIT);
            cis.setSizeLimit(payload.length);
            // unknown fields (from a newer writer) are dropped, not kept as objects
            m = DiscardUnknownFieldsParser.wrap(HushModel.parser()).parseFrom(cis);
        } catch (ModelFormatException e) {
            throw new ModelFormatException(src + ": " + e.getMessage(), e);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(src + ": corrupt payload: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException(src + ": corrupt payload: " + e, e);
        }
        Model model;
        try {
            model = ModelDecoder.decode(m);
        } catch (ModelFormatException e) {
            throw new ModelFormatException(src + ": " + e.getMessage(), e.getCause());
        } catch (RuntimeException e) {
            // Not expected: every check above should have caught it. Still one exception type for callers.
            throw new ModelFormatException(src + ": invalid model (" + INTERNAL + e + ")", e);
        }
        if (m.hasCard()) model.card().copyFrom(CardCodec.decode(m.getCard()));
        return model;
    }

    private static int crc(byte[] b, int n) {
        CRC32C c = new CRC32C();
        c.update(b, 0, n);
        return (int) c.getValue();
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (b[i] != prefix[i]) return false;
        return true;
    }

    /** Names common formats a mistaken file might be in. */
    private static String sniff(byte[] b) {
        if (b.length == 0) return "the file is empty";
        if (startsWith(b, new byte[]{(byte) 0x89, 'P', 'N', 'G'})) return "it is a PNG image";
        if (startsWith(b, new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})) return "it is a JPEG image";
        if (startsWith(b, new byte[]{'P', 'K', 3, 4})) return "it is a ZIP archive (a Keras .keras or PyTorch .pt file?)";
        if (startsWith(b, new byte[]{(byte) 0x89, 'H', 'D', 'F'})) return "it is an HDF5 file (a Keras .h5 model?)";
        if (startsWith(b, new byte[]{(byte) 0x80})) return "it looks like a Python pickle";
        if (b[0] == 0x08) return "it may be an ONNX model: import it with the ONNX importer";
        StringBuilder s = new StringBuilder("it starts with bytes");
        for (int i = 0; i < Math.min(8, b.length); i++) s.append(String.format(" %02x", b[i]));
        return s.append(", expected 89 48 55 53 48 0d 0a 1a").toString();
    }

    private static String hex(int v) { return String.format("%08x", v); }

    private static String readVersion() {
        try (InputStream in = HushFormat.class.getResourceAsStream("hush-version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
