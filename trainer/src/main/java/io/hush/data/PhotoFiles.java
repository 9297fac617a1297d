package io.hush.data;

import java.awt.color.ICC_Profile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Metadata in the containers themselves, read and written without decoding pixels: JPEG marker segments (APP1 EXIF,
 * APP2 ICC_PROFILE chunks, APP14 Adobe), PNG chunks (eXIf, iCCP) and TIFF IFD0 tags (orientation, ICC profile, EXIF
 * and GPS sub-IFDs, descriptive tags). Every length and offset is checked against the file before it is followed, so
 * a truncated or lying file fails with one line instead of a huge allocation.
 */
final class PhotoFiles {
    /** The largest ICC profile accepted (real ones, printer profiles included, are well under this). */
    static final int MAX_ICC_BYTES = 8 << 20;
    /** JPEG APP1 payload limit (65535 - 2 length bytes - 6 bytes "Exif\0\0"). */
    static final int MAX_JPEG_EXIF = 65527;
    private static final int ICC_CHUNK = 65519; // 65535 - 2 - 12 ("ICC_PROFILE\0") - 2 (sequence, count)

    /** IFD0 tags that describe the photo (not the pixel layout), copied between TIFF files and EXIF blocks. */
    static final Set<Integer> DESCRIPTIVE_TAGS = Set.of(270, 271, 272, 274, 282, 283, 296, 305, 306, 315, 316, 33432,
            TiffIfd.TAG_EXIF_IFD, TiffIfd.TAG_GPS_IFD, 33723);

    /**
     * What the container says: EXIF block, ICC profile, orientation, and for a four-component JPEG what it holds
     * ("CMYK" or "YCCK", from the Adobe APP14 transform; else null) and whether an Adobe APP14 segment says its
     * samples are inverted (Photoshop's convention; without it they are ink amounts as they are).
     */
    record Found(byte[] exif, byte[] icc, Orientation orientation, String adobeColour, boolean adobeInverted) {
        Found(byte[] exif, byte[] icc, Orientation orientation) {
            this(exif, icc, orientation, null, false);
        }
    }

    private PhotoFiles() {}

    static Found read(Path file, Images.Kind kind) throws ImageFormatException {
        if (kind != Images.Kind.JPEG && kind != Images.Kind.PNG && kind != Images.Kind.TIFF) {
            return new Found(null, null, Orientation.TOP_LEFT);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) throw new ImageFormatException(file, "file over 2 GB");
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            Found f = switch (kind) {
                case JPEG -> jpeg(file, buf);
                case PNG -> png(file, buf);
                default -> tiff(file, buf);
            };
            if (f.icc != null) checkIcc(file, f.icc);
            return f;
        } catch (IOException e) {
            if (e instanceof ImageFormatException ife) throw ife;
            throw new ImageFormatException(file, "cannot read", e);
        }
    }

    private static Orientation orientation(Path file, byte[] exif) throws ImageFormatException {
        TiffIfd.Parsed p = parseExif(file, exif);
        return Orientation.of(p.number(p.ifd0().get(TiffIfd.TAG_ORIENTATION)));
    }

    static TiffIfd.Parsed parseExif(Path file, byte[] exif) throws ImageFormatException {
        try {
            return TiffIfd.parse(ByteBuffer.wrap(exif), "EXIF block");
        } catch (TiffIfd.BadTiffException e) {
            throw new ImageFormatException(file, "corrupt EXIF metadata: " + e.getMessage());
        }
    }

    private static void checkIcc(Path file, byte[] icc) throws ImageFormatException {
        if (icc.length < 132) throw new ImageFormatException(file, "corrupt ICC profile: " + icc.length + " bytes, shorter than its header");
        long claimed = ByteBuffer.wrap(icc).order(ByteOrder.BIG_ENDIAN).getInt(0) & 0xFFFFFFFFL;
        if (claimed != icc.length) {
            throw new ImageFormatException(file, "corrupt ICC profile: its header claims " + claimed + " bytes but the file holds "
                    + icc.length);
        }
        try {
            ICC_Profile.getInstance(icc);
        } catch (IllegalArgumentException e) {
            throw new ImageFormatException(file, "corrupt ICC profile (" + e.getMessage() + ")");
        }
    }

    private static ImageFormatException tooBigIcc(Path file, long n) {
        return new ImageFormatException(file, String.format(Locale.ROOT,
                "ICC profile of %d bytes, over the limit of %d MiB", n, MAX_ICC_BYTES >> 20));
    }

    // ------------------------------------------------------------------------------------------------------ JPEG

    private static Found jpeg(Path file, ByteBuffer buf) throws ImageFormatException {
        buf.order(ByteOrder.BIG_ENDIAN);
        int len = buf.limit(), p = 2;
        byte[] exif = null;
        byte[][] iccChunks = null;
        long iccBytes = 0;
        int components = 0, adobeTransform = -1;
        while (p + 4 <= len) {
            if ((buf.get(p) & 0xFF) != 0xFF) break; // not a marker: leave it to the decoder
            int marker = buf.get(p + 1) & 0xFF;
            if (marker == 0xFF) { p++; continue; } // fill byte
            if (marker == 0xDA || marker == 0xD9) break; // start of scan / end of image: no more metadata
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { p += 2; continue; }
            int segLen = buf.getShort(p + 2) & 0xFFFF;
            if (segLen < 2 || p + 2L + segLen > len) {
                String which = marker == 0xE1 ? "EXIF (APP1)" : marker == 0xE2 ? "APP2" : String.format("0xFF%02X", marker);
                throw new ImageFormatException(file, String.format(Locale.ROOT, "corrupt or truncated JPEG: %s segment at"
                        + " byte %d claims %d bytes, past the end of the %d-byte file", which, p, segLen, len));
            }
            int data = p + 4, n = segLen - 2;
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC && n >= 6) {
                components = buf.get(data + 5) & 0xFF; // start of frame: precision, height, width, components
            } else if (marker == 0xEE && n >= 12 && startsWith(buf, data, n, "Adobe")) {
                adobeTransform = buf.get(data + 11) & 0xFF;
            }
            if (marker == 0xE1 && exif == null && startsWith(buf, data, n, "Exif\0\0")) {
                exif = new byte[n - 6];
                buf.get(data + 6, exif);
            } else if (marker == 0xE2 && startsWith(buf, data, n, "ICC_PROFILE\0") && n >= 14) {
                int seq = buf.get(data + 12) & 0xFF, count = buf.get(data + 13) & 0xFF;
                if (iccChunks == null) iccChunks = new byte[Math.max(count, 1)][];
                if (count != iccChunks.length || seq < 1 || seq > count || iccChunks[seq - 1] != null) {
                    throw new ImageFormatException(file, "corrupt ICC profile: chunk " + seq + " of " + count
                            + " does not fit the " + iccChunks.length + " chunks announced");
                }
                iccBytes += n - 14;
                if (iccBytes > MAX_ICC_BYTES) throw tooBigIcc(file, iccBytes);
                iccChunks[seq - 1] = new byte[n - 14];
                buf.get(data + 14, iccChunks[seq - 1]);
            }
            p += 2 + segLen;
        }
        byte[] icc = null;
        if (iccChunks != null) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 0; i < iccChunks.length; i++) {
                if (iccChunks[i] == null) {
                    throw new ImageFormatException(file, "corrupt ICC profile: chunk " + (i + 1) + " of " + iccChunks.length + " missing");
                }
                all.writeBytes(iccChunks[i]);
            }
            icc = all.toByteArray();
        }
        String four = components == 4 ? (adobeTransform == 2 ? "YCCK" : "CMYK") : null;
        return new Found(exif, icc, exif == null ? Orientation.TOP_LEFT : orientation(file, exif), four,
                adobeTransform >= 0);
    }

    private static boolean startsWith(ByteBuffer b, int at, int n, String s) {
        if (n < s.length()) return false;
        for (int i = 0; i < s.length(); i++) if (b.get(at + i) != (byte) s.charAt(i)) return false;
        return true;
    }

    /**
     * {@code encoded} (a JPEG from the encoder) with {@code exif} (APP1) and {@code icc} (APP2 chunks) inserted after
     * the JFIF APP0, or after SOI if there is none; any other APPn the encoder wrote is dropped.
     */
    static byte[] jpegWith(byte[] encoded, byte[] exif, byte[] icc) {
        ByteBuffer b = ByteBuffer.wrap(encoded).order(ByteOrder.BIG_ENDIAN);
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length + (exif == null ? 0 : exif.length)
                + (icc == null ? 0 : icc.length) + 1024);
        out.write(0xFF);
        out.write(0xD8);
        int p = 2;
        boolean inserted = false;
        while (p + 4 <= encoded.length && (b.get(p) & 0xFF) == 0xFF) {
            int marker = b.get(p + 1) & 0xFF;
            if (marker < 0xE0 || marker > 0xEF) break;
            int segLen = b.getShort(p + 2) & 0xFFFF;
            if (marker == 0xE0 && startsWith(b, p + 4, segLen - 2, "JFIF\0")) out.write(encoded, p, 2 + segLen);
            p += 2 + segLen;
        }
        if (exif != null) {
            segment(out, 0xE1, concat("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), exif));
        }
        if (icc != null) {
            int count = (icc.length + ICC_CHUNK - 1) / ICC_CHUNK;
            for (int i = 0; i < count; i++) {
                int from = i * ICC_CHUNK, to = Math.min(icc.length, from + ICC_CHUNK);
                ByteArrayOutputStream chunk = new ByteArrayOutputStream();
                chunk.writeBytes("ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1));
                chunk.write(i + 1);
                chunk.write(count);
                chunk.write(icc, from, to - from);
                segment(out, 0xE2, chunk.toByteArray());
            }
        }
        out.write(encoded, p, encoded.length - p);
        return out.toByteArray();
    }

    private static void segment(ByteArrayOutputStream out, int marker, byte[] payload) {
        out.write(0xFF);
        out.write(marker);
        int n = payload.length + 2;
        out.write(n >> 8);
        out.write(n & 0xFF);
        out.writeBytes(payload);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] o = new byte[a.length + b.length];
        System.arraycopy(a, 0, o, 0, a.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }

    // ------------------------------------------------------------------------------------------------------ PNG

    private static Found png(Path file, ByteBuffer buf) throws ImageFormatException {
        buf.order(ByteOrder.BIG_ENDIAN);
        int len = buf.limit();
        long p = 8;
        byte[] exif = null, icc = null;
        while (p + 12 <= len) {
            long n = buf.getInt((int) p) & 0xFFFFFFFFL;
            String type = new String(new byte[] {buf.get((int) p + 4), buf.get((int) p + 5), buf.get((int) p + 6),
                    buf.get((int) p + 7)}, StandardCharsets.ISO_8859_1);
            if (p + 12 + n > len) {
                if (type.equals("eXIf") || type.equals("iCCP")) {
                    throw new ImageFormatException(file, String.format(Locale.ROOT, "corrupt or truncated PNG: %s chunk at"
                            + " byte %d claims %d bytes, past the end of the %d-byte file", type, p, n, len));
                }
                break; // the decoder reports truncated image data
            }
            int data = (int) p + 8;
            if (type.equals("eXIf") && exif == null) {
                int skip = startsWith(buf, data, (int) n, "Exif\0\0") ? 6 : 0; // some writers keep JPEG's prefix
                exif = new byte[(int) n - skip];
                buf.get(data + skip, exif);
            } else if (type.equals("iCCP") && icc == null) {
                icc = inflateIcc(file, buf, data, (int) n);
            } else if (type.equals("IEND")) {
                break;
            }
            p += 12 + n;
        }
        return new Found(exif, icc, exif == null ? Orientation.TOP_LEFT : orientation(file, exif));
    }

    private static byte[] inflateIcc(Path file, ByteBuffer buf, int data, int n) throws ImageFormatException {
        int nameEnd = -1;
        for (int i = 0; i < Math.min(n, 80); i++) {
            if (buf.get(data + i) == 0) { nameEnd = i; break; }
        }
        if (nameEnd < 1 || nameEnd + 2 > n) throw new ImageFormatException(file, "corrupt ICC profile: bad iCCP chunk header");
        byte[] z = new byte[n - nameEnd - 2];
        buf.get(data + nameEnd + 2, z);
        Inflater inf = new Inflater();
        try {
            inf.setInput(z);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[65536];
            while (!inf.finished()) {
                int k = inf.inflate(chunk);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    throw new ImageFormatException(file, "corrupt ICC profile: truncated compressed iCCP data");
                }
                out.write(chunk, 0, k);
                if (out.size() > MAX_ICC_BYTES) throw tooBigIcc(file, inf.getBytesWritten());
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new ImageFormatException(file, "corrupt ICC profile: bad compressed iCCP data (" + e.getMessage() + ")");
        } finally {
            inf.end();
        }
    }

    /**
     * {@code encoded} (a PNG from the encoder) with an iCCP chunk for {@code icc} and an eXIf chunk for {@code exif}
     * right after IHDR; colour chunks the encoder wrote (sRGB, gAMA, cHRM, iCCP) are dropped when a profile is added.
     */
    static byte[] pngWith(byte[] encoded, byte[] exif, byte[] icc) {
        if (exif == null && icc == null) return encoded;
        ByteBuffer b = ByteBuffer.wrap(encoded).order(ByteOrder.BIG_ENDIAN);
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length + 4096);
        out.write(encoded, 0, 8);
        int p = 8;
        while (p + 12 <= encoded.length) {
            int n = b.getInt(p);
            String type = new String(encoded, p + 4, 4, StandardCharsets.ISO_8859_1);
            boolean drop = icc != null && (type.equals("sRGB") || type.equals("gAMA") || type.equals("cHRM")
                    || type.equals("iCCP")) || exif != null && type.equals("eXIf");
            if (!drop) out.write(encoded, p, 12 + n);
            if (type.equals("IHDR")) {
                if (icc != null) {
                    Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
                    d.setInput(icc);
                    d.finish();
                    ByteArrayOutputStream z = new ByteArrayOutputStream();
                    byte[] tmp = new byte[65536];
                    while (!d.finished()) z.write(tmp, 0, d.deflate(tmp));
                    d.end();
                    ByteArrayOutputStream data = new ByteArrayOutputStream();
                    data.writeBytes("ICC Profile\0".getBytes(StandardCharsets.ISO_8859_1));
                    data.write(0); // compression method: zlib
                    data.writeBytes(z.toByteArray());
                    chunk(out, "iCCP", data.toByteArray());
                }
                if (exif != null) chunk(out, "eXIf", exif);
            }
            p += 12 + n;
        }
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN);
        h.putInt(data.length).put(type.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(h.array());
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.ISO_8859_1));
        crc.update(data);
        long c = crc.getValue();
        out.write((int) (c >>> 24));
        out.write((int) (c >>> 16) & 0xFF);
        out.write((int) (c >>> 8) & 0xFF);
        out.write((int) c & 0xFF);
    }

    // ------------------------------------------------------------------------------------------------------ TIFF

    private static Found tiff(Path file, ByteBuffer buf) throws ImageFormatException {
        TiffIfd.Parsed p;
        try {
            p = TiffIfd.parse(buf, "TIFF directory");
        } catch (TiffIfd.BadTiffException e) {
            throw new ImageFormatException(file, "corrupt TIFF metadata: " + e.getMessage());
        }
        TiffIfd.Entry iccEntry = p.ifd0().get(TiffIfd.TAG_ICC);
        byte[] icc = null;
        if (iccEntry != null) {
            if (iccEntry.length() > MAX_ICC_BYTES) throw tooBigIcc(file, iccEntry.length());
            icc = p.bytes(iccEntry);
        }
        Orientation o = Orientation.of(p.number(p.ifd0().get(TiffIfd.TAG_ORIENTATION)));
        // The photo's EXIF, GPS and descriptive tags as an EXIF block of their own (values relocated).
        List<TiffIfd.Out> desc = TiffIfd.copy(p, p.ifd0(), DESCRIPTIVE_TAGS, p.order());
        boolean any = desc.stream().anyMatch(e -> e.tag() != 274 && e.tag() != 282 && e.tag() != 283 && e.tag() != 296);
        byte[] exif = any ? TiffIfd.exifBlock(new ArrayList<>(desc), p.order()) : null;
        return new Found(exif, icc, o);
    }

    /**
     * {@code encoded} (a single-image TIFF from the encoder) with the descriptive tags and EXIF/GPS sub-IFDs of
     * {@code exif} (orientation forced to 1) and the ICC profile added to its IFD0: a new IFD0 is appended and the
     * header pointed at it (the old one is left as unused bytes), so the encoder's strips never move.
     */
    static byte[] tiffWith(byte[] encoded, byte[] exif, byte[] icc) throws TiffIfd.BadTiffException {
        if (exif == null && icc == null) return encoded;
        TiffIfd.Parsed own = TiffIfd.parse(ByteBuffer.wrap(encoded), "encoded TIFF");
        ByteOrder order = own.order();
        List<TiffIfd.Out> ifd0 = new ArrayList<>(TiffIfd.copy(own, own.ifd0(), null, order));
        Set<Integer> present = new java.util.HashSet<>();
        for (TiffIfd.Out o : ifd0) present.add(o.tag());
        if (exif != null) {
            TiffIfd.Parsed src = TiffIfd.parse(ByteBuffer.wrap(exif), "EXIF block");
            for (TiffIfd.Out o : TiffIfd.copy(src, src.ifd0(), DESCRIPTIVE_TAGS, order)) {
                if (o.tag() == TiffIfd.TAG_ORIENTATION || present.contains(o.tag())) continue;
                ifd0.add(o);
                present.add(o.tag());
            }
        }
        if (icc != null && !present.contains(TiffIfd.TAG_ICC)) {
            ifd0.add(TiffIfd.Out.of(TiffIfd.TAG_ICC, TiffIfd.UNDEFINED, icc.length, icc));
        }
        long base = encoded.length + (encoded.length & 1);
        byte[] tail = TiffIfd.serialize(ifd0, order, base);
        byte[] out = new byte[(int) base + tail.length];
        System.arraycopy(encoded, 0, out, 0, encoded.length);
        System.arraycopy(tail, 0, out, (int) base, tail.length);
        ByteBuffer.wrap(out).order(order).putInt(4, (int) base);
        return out;
    }
}
