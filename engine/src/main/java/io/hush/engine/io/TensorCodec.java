package io.hush.engine.io;

import com.google.protobuf.ByteString;
import io.hush.engine.Tensor;
import io.hush.engine.io.proto.DataType;
import io.hush.engine.layers.Int8Kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Float32 tensors to and from the bytes of a {@code hush.format.Tensor}: little-endian float32, binary16 /
 * bfloat16 rounded to nearest even, 4-bit block codes (layout in hush.proto, {@code Q4_BLOCK256}), or int8 codes with
 * one scale per output channel ({@code INT8_CHANNEL}, read straight into an {@link Int8Kernel} when the layer keeps
 * its kernel as int8). Decoding trusts nothing: the caller has checked that the byte count matches the dims for the
 * data type (see {@link #dataBytes}).
 */
final class TensorCodec {
    private TensorCodec() {}

    /** Elements per block of {@code Q4_BLOCK256}. */
    static final int Q4_BLOCK = 256;

    /** Whether this reader knows the data type. */
    static boolean known(DataType t) {
        return t == DataType.FLOAT32 || t == DataType.FLOAT16 || t == DataType.BFLOAT16 || t == DataType.Q4_BLOCK256
                || t == DataType.INT8_CHANNEL;
    }

    /**
     * The exact byte count of {@code n} elements stored as {@code t} (a known type) for a tensor whose last dimension
     * is {@code lastDim} (the channel count of {@code INT8_CHANNEL}'s scales).
     */
    static long dataBytes(DataType t, long n, long lastDim) {
        return switch (t) {
            case FLOAT32 -> 4 * n;
            case FLOAT16, BFLOAT16 -> 2 * n;
            case Q4_BLOCK256 -> 4 * ((n + Q4_BLOCK - 1) / Q4_BLOCK) + (n + 1) / 2;
            case INT8_CHANNEL -> 4 * lastDim + n;
            default -> throw new IllegalArgumentException("unknown data type " + t);
        };
    }

    /** The most elements {@code bytes} of type {@code t} can hold: a bound to stop hostile dims before multiplying on. */
    static long maxElements(DataType t, long bytes) {
        return switch (t) {
            case FLOAT32 -> bytes / 4;
            case FLOAT16, BFLOAT16 -> bytes / 2;
            case Q4_BLOCK256 -> 2 * bytes;
            case INT8_CHANNEL -> bytes;
            default -> throw new IllegalArgumentException("unknown data type " + t);
        };
    }

    /**
     * Encodes {@code values} as {@code want}, falling back Q4 -> float16 (tensors under {@link Storage#Q4_MIN_ELEMENTS},
     * non-finite values) -> float32 (a finite value would become infinite in the smaller type). Returns the type actually used; the bytes go to {@code out[0]}.
     */
    static DataType encode(float[] values, DataType want, ByteString[] out) {
        return encode(values, want, out, 0);
    }

    /**
     * As {@link #encode(float[], DataType, ByteString[])}, for a tensor whose last dimension is {@code lastDim}:
     * {@code INT8_CHANNEL} needs it (a scale per channel) and falls back to float32 for a tensor without channels
     * ({@code lastDim} 0) or with a non-finite value.
     */
    static DataType encode(float[] values, DataType want, ByteString[] out, int lastDim) {
        if (want == DataType.INT8_CHANNEL) {
            if (lastDim <= 0 || values.length % lastDim != 0) return encode(values, DataType.FLOAT32, out);
            for (float v : values) if (!Float.isFinite(v)) return encode(values, DataType.FLOAT32, out);
            int c = lastDim;
            float[] amax = new float[c];
            for (int i = 0; i < values.length; i++) amax[i % c] = Math.max(amax[i % c], Math.abs(values[i]));
            ByteBuffer b = ByteBuffer.allocate(4 * c + values.length).order(ByteOrder.LITTLE_ENDIAN);
            float[] scale = new float[c];
            for (int k = 0; k < c; k++) b.putFloat(scale[k] = amax[k] / Int8Kernel.MAX_CODE);
            for (int i = 0; i < values.length; i++) {
                float sc = scale[i % c];
                int q = sc > 0 ? Math.round(values[i] / sc) : 0;
                b.put((byte) Math.max(-Int8Kernel.MAX_CODE, Math.min(Int8Kernel.MAX_CODE, q)));
            }
            out[0] = ByteString.copyFrom(b.array());
            return want;
        }
        if (want == DataType.Q4_BLOCK256) {
            if (values.length < Storage.Q4_MIN_ELEMENTS) return encode(values, DataType.FLOAT16, out);
            byte[] q = encodeQ4(values);
            if (q == null) return encode(values, DataType.FLOAT16, out);
            out[0] = ByteString.copyFrom(q);
            return want;
        }
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

    /**
     * 4-bit block codes: per block of 256, 16 levels from the block's minimum to its maximum. Scale and offset are
     * rounded to float16 first and the codes chosen against the rounded values, so decoding gives the nearest level.
     * Null when a value is not finite or the block's range does not fit float16 (the caller then stores float16).
     */
    static byte[] encodeQ4(float[] values) {
        int n = values.length, blocks = (n + Q4_BLOCK - 1) / Q4_BLOCK;
        ByteBuffer head = ByteBuffer.allocate(4 * blocks).order(ByteOrder.LITTLE_ENDIAN);
        byte[] codes = new byte[(n + 1) / 2];
        for (int b = 0; b < blocks; b++) {
            int from = b * Q4_BLOCK, to = Math.min(n, from + Q4_BLOCK);
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int i = from; i < to; i++) {
                if (!Float.isFinite(values[i])) return null;
                lo = Math.min(lo, values[i]);
                hi = Math.max(hi, values[i]);
            }
            short scale16 = Float.floatToFloat16((hi - lo) / 15f), offset16 = Float.floatToFloat16(lo);
            float scale = Float.float16ToFloat(scale16), offset = Float.float16ToFloat(offset16);
            if (!Float.isFinite(scale) || !Float.isFinite(offset)) return null;
            head.putShort(scale16).putShort(offset16);
            for (int i = from; i < to; i++) {
                int code = scale > 0 ? Math.round((values[i] - offset) / scale) : 0;
                code = Math.max(0, Math.min(15, code));
                codes[i >> 1] |= (byte) ((i & 1) == 0 ? code : code << 4);
            }
        }
        byte[] all = new byte[head.capacity() + codes.length];
        System.arraycopy(head.array(), 0, all, 0, head.capacity());
        System.arraycopy(codes, 0, all, head.capacity(), codes.length);
        return all;
    }

    /** An int8 kernel's exact bytes as {@code INT8_CHANNEL}: scales, then codes. */
    static ByteString encode(Int8Kernel k) {
        byte[] b = new byte[Math.toIntExact(4L * k.channels() + k.shape().size())];
        MemorySegment dst = MemorySegment.ofArray(b);
        for (int c = 0; c < k.channels(); c++) dst.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * c, k.scale(c));
        MemorySegment.copy(k.codes(), 0, dst, 4L * k.channels(), k.shape().size());
        return ByteString.copyFrom(b);
    }

    /** Reads {@code INT8_CHANNEL} bytes (the caller checked the byte count for dst's shape) into an int8 kernel. */
    static void decodeInt8(ByteString data, Int8Kernel dst) {
        ByteBuffer b = data.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int c = dst.channels();
        for (int k = 0; k < c; k++) dst.scales().setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, k, b.getFloat(4 * k));
        MemorySegment.copy(MemorySegment.ofBuffer(b.position(4 * c).slice()), 0, dst.codes(), 0, dst.shape().size());
    }

    /** Decodes {@code n} elements of type {@code t} into {@code dst} (the caller checked the byte count). */
    static void decode(ByteString data, DataType t, long n, Tensor dst) {
        if (t == DataType.INT8_CHANNEL) { // a layer that keeps float32 kernels: dequantized
            ByteBuffer b = data.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            int c = dst.shape().dim(-1);
            for (long i = 0; i < n; i++) dst.set(i, b.get(4 * c + (int) i) * b.getFloat(4 * (int) (i % c)));
            return;
        }
        if (t == DataType.Q4_BLOCK256) {
            decodeQ4(data.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN), n, dst);
            return;
        }
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

    private static void decodeQ4(ByteBuffer b, long n, Tensor dst) {
        int blocks = (int) ((n + Q4_BLOCK - 1) / Q4_BLOCK), codesAt = 4 * blocks;
        for (int blk = 0; blk < blocks; blk++) { // scale and offset once per block
            float scale = Float.float16ToFloat(b.getShort(4 * blk)), offset = Float.float16ToFloat(b.getShort(4 * blk + 2));
            for (long i = (long) blk * Q4_BLOCK, end = Math.min(n, i + Q4_BLOCK); i < end; i++) {
                int pair = b.get(codesAt + (int) (i >> 1)) & 0xFF;
                dst.set(i, offset + ((i & 1) == 0 ? pair & 15 : pair >>> 4) * scale);
            }
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
