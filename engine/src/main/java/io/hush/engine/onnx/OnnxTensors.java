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
        checkInline(t);
        long n = size(dims(t));
        if (n > Integer.MAX_VALUE) throw new OnnxException("tensor '" + t.getName() + "' is too large: " + n + " values");
        int type = t.getDataType();
        float[] v;
        if (type == TensorProto.DataType.FLOAT_VALUE) {
            if (t.hasRawData()) {
                v = new float[checkRaw(t, n, 4)];
                raw(t).asFloatBuffer().get(v);
            } else {
                v = new float[t.getFloatDataCount()];
                for (int i = 0; i < v.length; i++) v[i] = t.getFloatData(i);
            }
        } else if (type == TensorProto.DataType.DOUBLE_VALUE) {
            if (t.hasRawData()) {
                double[] d = new double[checkRaw(t, n, 8)];
                raw(t).asDoubleBuffer().get(d);
                v = new float[d.length];
                for (int i = 0; i < d.length; i++) v[i] = (float) d[i];
            } else {
                v = new float[t.getDoubleDataCount()];
                for (int i = 0; i < v.length; i++) v[i] = (float) t.getDoubleData(i);
            }
        } else if (type == TensorProto.DataType.INT64_VALUE || type == TensorProto.DataType.INT32_VALUE) {
            long[] l = longs(t);
            v = new float[l.length];
            for (int i = 0; i < l.length; i++) v[i] = l[i];
        } else {
            throw new OnnxException("tensor '" + t.getName() + "' has data type " + typeName(type)
                    + "; Hush reads float32 models (FLOAT, DOUBLE constants, INT32/INT64 shapes)");
        }
        if (v.length != n) {
            throw new OnnxException("tensor '" + t.getName() + "' of shape " + Arrays.toString(dims(t)) + " holds "
                    + v.length + " values, expected " + n);
        }
        return v;
    }

    /** An integer tensor (INT64 or INT32), e.g. a Reshape shape. */
    static long[] longs(TensorProto t) throws OnnxException {
        checkInline(t);
        long n = size(dims(t));
        int type = t.getDataType();
        long[] v;
        if (type == TensorProto.DataType.INT64_VALUE) {
            if (t.hasRawData()) {
                v = new long[checkRaw(t, n, 8)];
                raw(t).asLongBuffer().get(v);
            } else {
                v = new long[t.getInt64DataCount()];
                for (int i = 0; i < v.length; i++) v[i] = t.getInt64Data(i);
            }
        } else if (type == TensorProto.DataType.INT32_VALUE) {
            if (t.hasRawData()) {
                int[] d = new int[checkRaw(t, n, 4)];
                raw(t).asIntBuffer().get(d);
                v = new long[d.length];
                for (int i = 0; i < d.length; i++) v[i] = d[i];
            } else {
                v = new long[t.getInt32DataCount()];
                for (int i = 0; i < v.length; i++) v[i] = t.getInt32Data(i);
            }
        } else {
            throw new OnnxException("tensor '" + t.getName() + "' has data type " + typeName(type)
                    + ", expected INT64 or INT32");
        }
        if (v.length != n) {
            throw new OnnxException("tensor '" + t.getName() + "' of shape " + Arrays.toString(dims(t)) + " holds "
                    + v.length + " values, expected " + n);
        }
        return v;
    }

    static boolean isInteger(TensorProto t) {
        return t.getDataType() == TensorProto.DataType.INT64_VALUE || t.getDataType() == TensorProto.DataType.INT32_VALUE;
    }

    static TensorProto floatTensor(String name, float[] v, long... dims) {
        if (size(dims) != v.length) throw new IllegalArgumentException(name + ": " + v.length + " values for " + Arrays.toString(dims));
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    static TensorProto longTensor(String name, long[] v, long... dims) {
        if (size(dims) != v.length) throw new IllegalArgumentException(name + ": " + v.length + " values for " + Arrays.toString(dims));
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(v);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    static String typeName(int type) {
        TensorProto.DataType d = TensorProto.DataType.forNumber(type);
        return d == null ? "#" + type : d.name();
    }

    private static void checkInline(TensorProto t) throws OnnxException {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new OnnxException("tensor '" + t.getName() + "' keeps its data in an external file; save the model"
                    + " with its weights inside (onnx.save(model, path, save_as_external_data=False))");
        }
    }

    private static int checkRaw(TensorProto t, long n, int bytes) throws OnnxException {
        if (t.getRawData().size() != n * bytes) {
            throw new OnnxException("tensor '" + t.getName() + "' of shape " + Arrays.toString(dims(t)) + " has "
                    + t.getRawData().size() + " bytes of raw data, expected " + n * bytes);
        }
        return (int) n;
    }

    private static ByteBuffer raw(TensorProto t) {
        return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
}
