package io.hush.engine.golden;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Minimal reader for NumPy .npy files as written by {@code np.save}: format versions 1-3, little-endian float32
 * ({@code '<f4'}), C order. That is all tools/golden/make_golden.py writes; anything else is refused by name.
 *
 * <p>Layout: magic {@code \x93NUMPY}, major, minor, header length (uint16 for v1, uint32 for v2/3, little-endian),
 * an ASCII Python dict {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} padded with spaces,
 * then the raw data.
 */
public record Npy(int[] shape, float[] data) {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    public static Npy read(String what, InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
        if (all.length < 10) throw new IOException(what + ": too short for an .npy file (" + all.length + " bytes)");
        for (int i = 0; i < magic.length; i++) {
            if (all[i] != magic[i]) throw new IOException(what + ": not an .npy file (bad magic)");
        }
        int major = all[6];
        int headerLen;
        int pos;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(b.getShort(8));
            pos = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            pos = 12;
        } else {
            throw new IOException(what + ": unsupported .npy version " + major);
        }
        String header = new String(all, pos, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) throw new IOException(what + ": malformed .npy header " + header.trim());
        if (!d.group(1).equals("<f4")) throw new IOException(what + ": dtype " + d.group(1) + ", expected <f4 (float32 LE)");
        if (f.group(1).equals("True")) throw new IOException(what + ": Fortran order is not supported");
        String[] parts = s.group(1).split(",");
        int n = 0;
        int[] shape = new int[parts.length];
        long count = 1;
        for (String p : parts) {
            if (p.isBlank()) continue;
            shape[n] = Integer.parseInt(p.trim());
            count *= shape[n++];
        }
        shape = java.util.Arrays.copyOf(shape, n);
        int dataStart = pos + headerLen;
        if (all.length - dataStart != count * 4) {
            throw new IOException(what + ": " + (all.length - dataStart) + " data bytes for shape "
                    + java.util.Arrays.toString(shape) + " (expected " + count * 4 + ")");
        }
        float[] data = new float[(int) count];
        b.position(dataStart);
        b.asFloatBuffer().get(data);
        return new Npy(shape, data);
    }
}
