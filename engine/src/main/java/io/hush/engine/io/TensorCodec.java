package io.hush.engine.io;

import com.google.protobuf.ByteString;
import io.hush.engine.Tensor;
import io.hush.engine.io.proto.DataType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Float32 tensors to and from the bytes of a {@code hush.format.Tensor}: little-endian float32, or binary16 /
 * bfloat16 rounded to nearest even. Decoding trusts nothing: the caller has checked that the byte count matches the
 * dims for the data type (see {@link #elementBytes}).
 */
final class TensorCodec {
    private TensorCodec() {}

    /** Bytes per element of a stored data type, or 0 for a type this reader does not know. */
    static int elementBytes(DataType t) {
        return switch (t) {
            case FLOAT32 -> 4;
            case FLOAT16, BFLOAT16 -> 2;
            default -> 0;
        };
    }

    /**
     * Encodes {@code values} as {@code want}, or as float32 when a finite value would become infinite in the smaller
     * type. Returns the type actually used; the bytes go to {@code out[0]}.
     */
    static DataType encode(float[] values, DataType want, ByteString[] out) {
        if (want == DataType.FLOAT16 || want == DataType.BFLOAT16) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                short h = want == DataType.FLOAT16 ? Float.floatToFloat16(v) : toBfloat16(v);
                float back = want == DataType.FLOAT16 ? Float.float16ToFloat(h) : fromBfloat16(h);
                if (Float.isInfinite(back) && Float.isFinite(v)) return encode(values, DataType.FLOAT32, out);
                b.putShort(h);
            }
            out[0] = ByteString.copyFrom(b.array());
            return want;
        }
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putInt(Float.floatToRawIntBits(v)); // raw: NaN payloads survive too
        out[0] = ByteString.copyFrom(b.array());
        return DataType.FLOAT32;
    }

    /** Decodes {@code n} elements of type {@code t} into {@code dst} (the caller checked the byte count). */
    static void decode(ByteString data, DataType t, long n, Tensor dst) {
        ByteBuffer b = data.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
            float v = switch (t) {
                case FLOAT32 -> Float.intBitsToFloat(b.getInt());
                case FLOAT16 -> Float.float16ToFloat(b.getShort());
                case BFLOAT16 -> fromBfloat16(b.getShort());
                default -> throw new IllegalStateException("unchecked data type " + t);
            };
            dst.set(i, v);
        }
    }

    /** float32 -> bfloat16, round to nearest even; NaN stays a (quiet) NaN. */
    static short toBfloat16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x0040);
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    static float fromBfloat16(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }
}
