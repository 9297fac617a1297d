package io.hush.engine.onnx;

import com.google.protobuf.ByteString;
import io.hush.engine.onnx.proto.Onnx.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * ONNX {@code TensorProto} values to and from Java arrays. ONNX stores a tensor either in {@code raw_data}
 * (little-endian, row-major) or in the typed repeated field of its data type; both are read. Hush writes
 * {@code raw_data}, which is what every exporter does for weights.
 */
final class OnnxTensors {
    private OnnxTensors() {}

    static long[] dims(TensorProto t) {
        long[] d = new long[t.getDimsCount()];
        for (int i = 0; i < d.length; i++) d[i] = t.getDims(i);
        return d;
    }

    static long size(long[] dims) {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    /** A float tensor (FLOAT or DOUBLE; integer types are converted too, for constants such as Clip bounds). */
    static float[] floats(TensorProto t) throws OnnxException {
        int n = count(t);
        float[] v = switch (t.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE -> {
                ByteBuffer r = raw(t, n, 4); // checked before anything the size calls for is allocated
                float[] a = new float[r == null ? t.getFloatDataCount() : n];
                if (r != null) r.asFloatBuffer().get(a);
                else for (int i = 0; i < a.length; i++) a[i] = t.getFloatData(i);
                yield a;
            }
            case TensorProto.DataType.DOUBLE_VALUE -> {
                ByteBuffer r = raw(t, n, 8);
                float[] a = new float[r == null ? t.getDoubleDataCount() : n];
                for (int i = 0; i < a.length; i++) a[i] = (float) (r == null ? t.getDoubleData(i) : r.getDouble(i * 8));
                yield a;
            }
            case TensorProto.DataType.INT64_VALUE, TensorProto.DataType.INT32_VALUE -> {
                long[] l = longs(t);
                float[] a = new float[l.length];
                for (int i = 0; i < l.length; i++) a[i] = l[i];
                yield a;
            }
            default -> throw new OnnxException("tensor '" + t.getName() + "' has data type " + typeName(t.getDataType())
                    + "; Hush reads float32 models (FLOAT, DOUBLE constants, INT32/INT64 shapes)");
        };
        checkCount(t, v.length, n);
        return v;
    }

    /** An integer tensor (INT64 or INT32), e.g. a Reshape shape. */
    static long[] longs(TensorProto t) throws OnnxException {
        int n = count(t);
        long[] v = switch (t.getDataType()) {
            case TensorProto.DataType.INT64_VALUE -> {
                ByteBuffer r = raw(t, n, 8);
                if (r == null) yield t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
                long[] a = new long[n];
                r.asLongBuffer().get(a);
                yield a;
            }
            case TensorProto.DataType.INT32_VALUE -> {
                ByteBuffer r = raw(t, n, 4);
                if (r == null) yield t.getInt32DataList().stream().mapToLong(Integer::longValue).toArray();
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = r.getInt(i * 4);
                yield a;
            }
            default -> throw new OnnxException("tensor '" + t.getName() + "' has data type " + typeName(t.getDataType())
                    + ", expected INT64 or INT32");
        };
        checkCount(t, v.length, n);
        return v;
    }

    /** The number of values the dims of an inline tensor call for. */
    private static int count(TensorProto t) throws OnnxException {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new OnnxException("tensor '" + t.getName() + "' keeps its data in an external file; save the model"
                    + " with its weights inside (onnx.save(model, path, save_as_external_data=False))");
        }
        long n = size(dims(t));
        if (n > Integer.MAX_VALUE) throw new OnnxException("tensor '" + t.getName() + "' is too large: " + n + " values");
        return (int) n;
    }

    private static void checkCount(TensorProto t, int have, int n) throws OnnxException {
        if (have != n) {
            throw new OnnxException("tensor '" + t.getName() + "' of shape " + Arrays.toString(dims(t)) + " holds "
                    + have + " values, expected " + n);
        }
    }

    static boolean isInteger(TensorProto t) {
        return t.getDataType() == TensorProto.DataType.INT64_VALUE || t.getDataType() == TensorProto.DataType.INT32_VALUE;
    }

    /** A FLOAT tensor of the given dims holding v (raw data, little-endian). */
    static TensorProto floatTensor(String name, float[] v, long... dims) {
        ByteBuffer b = buffer(name, v.length, 4, dims);
        b.asFloatBuffer().put(v);
        return tensor(name, TensorProto.DataType.FLOAT_VALUE, b, dims);
    }

    /** An INT64 tensor of the given dims holding v (raw data, little-endian). */
    static TensorProto longTensor(String name, long[] v, long... dims) {
        ByteBuffer b = buffer(name, v.length, 8, dims);
        b.asLongBuffer().put(v);
        return tensor(name, TensorProto.DataType.INT64_VALUE, b, dims);
    }

    private static ByteBuffer buffer(String name, int count, int bytes, long[] dims) {
        if (size(dims) != count) throw new IllegalArgumentException(name + ": " + count + " values for " + Arrays.toString(dims));
        return ByteBuffer.allocate(count * bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static TensorProto tensor(String name, int type, ByteBuffer raw, long[] dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    static String typeName(int type) {
        TensorProto.DataType d = TensorProto.DataType.forNumber(type);
        return d == null ? "#" + type : d.name();
    }

    /**
     * The raw data of a tensor of n values of {@code bytes} each, little-endian, after checking its size; null when
     * the values are in the typed field instead.
     */
    private static ByteBuffer raw(TensorProto t, int n, int bytes) throws OnnxException {
        if (!t.hasRawData()) return null;
        if (t.getRawData().size() != (long) n * bytes) {
            throw new OnnxException("tensor '" + t.getName() + "' of shape " + Arrays.toString(dims(t)) + " has "
                    + t.getRawData().size() + " bytes of raw data, expected " + (long) n * bytes);
        }
        return t.getRawData().asReadOnlyByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN); // index 0 = first byte
    }
}
