package io.hush.engine.io;

import com.google.protobuf.InvalidProtocolBufferException;
import io.hush.engine.io.proto.HushModel;
import io.hush.engine.io.proto.Node;
import io.hush.engine.io.proto.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a {@code .hush} file stores its parameters: per data type (FLOAT32, FLOAT16, BFLOAT16, Q4_BLOCK256,
 * INT8_CHANNEL), how many tensors, elements and bytes. What {@code hush info} prints as the storage; the file's
 * structure is assumed to have been checked by loading it.
 */
public final class StoredTensors {
    private StoredTensors() {}

    /** Tensors of one data type in a file. */
    public record Kind(String dataType, int tensors, long elements, long bytes) {}

    /** The storage of a complete .hush file's contents, one entry per data type in order of first use. */
    public static List<Kind> of(byte[] file) throws ModelFormatException {
        if (file.length < HushFormat.HEADER_BYTES + HushFormat.TRAILER_BYTES) throw new ModelFormatException("not a Hush model file");
        long length = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(12);
        if (length < 0 || length > file.length - HushFormat.HEADER_BYTES) throw new ModelFormatException("not a Hush model file");
        HushModel m;
        try {
            m = HushModel.parseFrom(ByteBuffer.wrap(file, HushFormat.HEADER_BYTES, (int) length));
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException("corrupt payload: " + e.getMessage(), e);
        }
        Map<String, long[]> by = new LinkedHashMap<>();
        for (Node n : m.getNodesList()) {
            for (Tensor t : n.getParamsList()) {
                long elements = 1;
                for (long d : t.getDimsList()) elements *= d;
                long[] k = by.computeIfAbsent(t.getDataType().name(), x -> new long[3]);
                k[0]++;
                k[1] += elements;
                k[2] += t.getData().size();
            }
        }
        List<Kind> out = new ArrayList<>();
        by.forEach((type, k) -> out.add(new Kind(type, (int) k[0], k[1], k[2])));
        return out;
    }

    /** One line, e.g. {@code "INT8_CHANNEL: 3 tensors, 9,924,608 values, 9.9 MB; FLOAT32: 6 tensors, 3,297 values, 13 KB"}. */
    public static String describe(List<Kind> kinds) {
        StringBuilder sb = new StringBuilder();
        for (Kind k : kinds) {
            if (!sb.isEmpty()) sb.append("; ");
            sb.append(String.format(Locale.ROOT, "%s: %d tensor%s, %,d values, %s", k.dataType(), k.tensors(),
                    k.tensors() == 1 ? "" : "s", k.elements(), bytes(k.bytes())));
        }
        return sb.toString();
    }

    /** Bytes in B, KB, MB or GB (powers of 1000, one decimal). */
    public static String bytes(long b) {
        if (b < 1000) return b + " B";
        if (b < 1_000_000) return String.format(Locale.ROOT, "%.1f KB", b / 1e3);
        if (b < 1_000_000_000) return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
        return String.format(Locale.ROOT, "%.2f GB", b / 1e9);
    }
}
