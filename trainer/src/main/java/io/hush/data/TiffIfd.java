package io.hush.data;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The TIFF structure shared by EXIF blocks (a JPEG's APP1 after {@code Exif\0\0}, a PNG's eXIf chunk) and TIFF files:
 * a byte-order header, then image file directories (IFDs) of 12-byte entries whose values sit inline (up to 4 bytes)
 * or at an offset. Three things are done with it:
 *
 * <ul>
 *   <li>{@link #parse}: every entry of IFD0 and its EXIF, GPS and interoperability sub-IFDs is bounds-checked against
 *       the block, so a truncated block or one whose entries claim absurd sizes fails here, with a message naming the
 *       entry, before anything is decoded or written;</li>
 *   <li>{@link #patchUpright}: a copy of an EXIF block with the orientation set to 1 (pixels written upright), the
 *       EXIF pixel dimensions swapped when the orientation transposed the image, and the thumbnail IFD unlinked
 *       (it shows the unrotated picture) — all in place, so maker notes, whose private offsets point into the block,
 *       stay valid;</li>
 *   <li>{@link #serialize}: entries (possibly from another block, in another byte order) laid out afresh, for a TIFF
 *       file's metadata or an EXIF block built from a TIFF file.</li>
 * </ul>
 *
 * <p>Offsets are relative to the header, as in the TIFF specification; {@code base} is the header's position in the
 * buffer (0 for an EXIF block or a TIFF file).
 */
final class TiffIfd {
    static final int TAG_ORIENTATION = 274;
    static final int TAG_EXIF_IFD = 34665;
    static final int TAG_GPS_IFD = 34853;
    static final int TAG_INTEROP_IFD = 40965;
    static final int TAG_ICC = 34675;
    static final int TAG_XMP = 700;
    static final int TAG_PIXEL_X = 40962;
    static final int TAG_PIXEL_Y = 40963;

    static final int SHORT = 3, LONG = 4, UNDEFINED = 7, IFD = 13;

    /** Entries per IFD beyond which a directory is taken as corrupt (real ones have tens). */
    private static final int MAX_ENTRIES = 4096;

    /** One entry: its tag, type, count, the position of its 12-byte record, its value, and the IFD it points to. */
    record Entry(int tag, int type, long count, int recordPos, int valuePos, int length, Dir sub) {}

    /** A directory: its entries (in file order) and where its next-IFD offset field is. */
    record Dir(List<Entry> entries, int nextFieldPos, long next) {
        Entry get(int tag) {
            for (Entry e : entries) if (e.tag == tag) return e;
            return null;
        }
    }

    /** A parsed block: the buffer (positioned at the header), its byte order and IFD0. */
    record Parsed(ByteBuffer buf, ByteOrder order, Dir ifd0) {
        /** The value bytes of {@code e}, copied. */
        byte[] bytes(Entry e) {
            byte[] b = new byte[e.length];
            buf.get(e.valuePos, b);
            return b;
        }

        /** The first value of a SHORT or LONG entry, or -1. */
        long number(Entry e) {
            if (e == null || e.count < 1) return -1;
            return switch (e.type) {
                case SHORT -> buf.getShort(e.valuePos) & 0xFFFF;
                case LONG, IFD -> buf.getInt(e.valuePos) & 0xFFFFFFFFL;
                default -> -1;
            };
        }
    }

    /** A problem with the block's structure; the message says which entry and why. */
    static final class BadTiffException extends Exception {
        BadTiffException(String message) {
            super(message);
        }
    }

    private TiffIfd() {}

    /** Bytes per value of a TIFF type, 0 if unknown. */
    static int typeSize(int type) {
        return switch (type) {
            case 1, 2, 6, 7 -> 1;          // BYTE, ASCII, SBYTE, UNDEFINED
            case 3, 8 -> 2;                // SHORT, SSHORT
            case 4, 9, 11, 13 -> 4;        // LONG, SLONG, FLOAT, IFD
            case 5, 10, 12 -> 8;           // RATIONAL, SRATIONAL, DOUBLE
            default -> 0;
        };
    }

    static boolean isTiffHeader(byte[] b) {
        return b.length >= 8 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0)
                || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42));
    }

    /**
     * Parses IFD0 and its EXIF/GPS/interoperability sub-IFDs of the TIFF structure that starts at the buffer's
     * position 0 (a slice). {@code what} names the block in messages ("EXIF block").
     */
    static Parsed parse(ByteBuffer block, String what) throws BadTiffException {
        ByteBuffer buf = block.slice();
        int len = buf.limit();
        if (len < 8) throw new BadTiffException(what + " truncated: " + len + " bytes, shorter than a TIFF header");
        ByteOrder order;
        if (buf.get(0) == 'I' && buf.get(1) == 'I') order = ByteOrder.LITTLE_ENDIAN;
        else if (buf.get(0) == 'M' && buf.get(1) == 'M') order = ByteOrder.BIG_ENDIAN;
        else throw new BadTiffException(what + " has no TIFF byte-order mark (II or MM)");
        buf.order(order);
        if ((buf.getShort(2) & 0xFFFF) != 42) throw new BadTiffException(what + " has a bad TIFF magic number");
        long ifd0 = buf.getInt(4) & 0xFFFFFFFFL;
        Set<Long> seen = new HashSet<>();
        Dir d = dir(buf, ifd0, what, "IFD0", seen, 0);
        return new Parsed(buf, order, d);
    }

    private static Dir dir(ByteBuffer buf, long off, String what, String name, Set<Long> seen, int depth)
            throws BadTiffException {
        int len = buf.limit();
        if (off < 8 || off + 2 > len) {
            throw new BadTiffException(String.format(Locale.ROOT, "%s truncated: %s at offset %d, past the end of the"
                    + " %d-byte block", what, name, off, len));
        }
        if (!seen.add(off) || depth > 3) throw new BadTiffException(what + ": " + name + " loops back to an earlier IFD");
        int n = buf.getShort((int) off) & 0xFFFF;
        if (n > MAX_ENTRIES) throw new BadTiffException(what + ": " + name + " claims " + n + " entries");
        long end = off + 2 + 12L * n + 4;
        if (end > len) {
            throw new BadTiffException(String.format(Locale.ROOT, "%s truncated: %s has %d entries, which end at byte"
                    + " %d of a %d-byte block", what, name, n, end, len));
        }
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int rec = (int) (off + 2 + 12L * i);
            int tag = buf.getShort(rec) & 0xFFFF, type = buf.getShort(rec + 2) & 0xFFFF;
            long count = buf.getInt(rec + 4) & 0xFFFFFFFFL;
            int size = typeSize(type);
            if (size == 0) continue; // unknown type: TIFF readers skip such entries, and so do we (not copied)
            long bytes = count * size;
            long pos;
            if (bytes <= 4) {
                pos = rec + 8;
            } else {
                pos = buf.getInt(rec + 8) & 0xFFFFFFFFL;
                if (pos + bytes > len || pos < 8) {
                    throw new BadTiffException(String.format(Locale.ROOT, "%s: %s entry 0x%04X claims %d bytes at offset"
                            + " %d, past the end of the %d-byte block", what, name, tag, bytes, pos, len));
                }
            }
            Dir sub = null;
            if ((tag == TAG_EXIF_IFD || tag == TAG_GPS_IFD || tag == TAG_INTEROP_IFD) && count >= 1
                    && (type == LONG || type == IFD)) {
                long subOff = buf.getInt((int) pos) & 0xFFFFFFFFL;
                String subName = tag == TAG_EXIF_IFD ? "EXIF IFD" : tag == TAG_GPS_IFD ? "GPS IFD" : "interoperability IFD";
                sub = dir(buf, subOff, what, subName, seen, depth + 1);
            }
            entries.add(new Entry(tag, type, count, rec, (int) pos, (int) bytes, sub));
        }
        int nextPos = (int) (off + 2 + 12L * n);
        return new Dir(entries, nextPos, buf.getInt(nextPos) & 0xFFFFFFFFL);
    }

    /**
     * A copy of {@code exif} (a whole EXIF block, already {@link #parse parsed} as {@code p}) for pixels that were
     * turned upright from {@code o}: orientation 1, EXIF pixel dimensions swapped if {@code o} transposes, thumbnail
     * IFD unlinked if {@code o} is not 1. Patched in place; nothing else moves.
     */
    static byte[] patchUpright(byte[] exif, Parsed p, Orientation o) {
        byte[] out = exif.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(p.order);
        Entry orient = p.ifd0.get(TAG_ORIENTATION);
        if (orient != null && orient.type == SHORT && orient.count >= 1) b.putShort(orient.valuePos, (short) 1);
        if (o == Orientation.TOP_LEFT) return out;
        if (p.ifd0.nextFieldPos + 4 <= out.length) b.putInt(p.ifd0.nextFieldPos, 0); // thumbnail shows the old way up
        Entry exifIfd = p.ifd0.get(TAG_EXIF_IFD);
        if (o.transposes() && exifIfd != null && exifIfd.sub != null) {
            Entry x = exifIfd.sub.get(TAG_PIXEL_X), y = exifIfd.sub.get(TAG_PIXEL_Y);
            if (x != null && y != null && x.count == 1 && y.count == 1 && x.type == y.type
                    && (x.type == SHORT || x.type == LONG)) {
                if (x.type == SHORT) {
                    short xv = b.getShort(x.valuePos);
                    b.putShort(x.valuePos, b.getShort(y.valuePos));
                    b.putShort(y.valuePos, xv);
                } else {
                    int xv = b.getInt(x.valuePos);
                    b.putInt(x.valuePos, b.getInt(y.valuePos));
                    b.putInt(y.valuePos, xv);
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------- writing

    /** An entry to write: tag, type, count, value in {@code order}; or a sub-IFD (type LONG, count 1). */
    record Out(int tag, int type, long count, byte[] value, List<Out> sub) {
        static Out of(int tag, int type, long count, byte[] value) {
            return new Out(tag, type, count, value, null);
        }

        static Out subIfd(int tag, List<Out> entries) {
            return new Out(tag, LONG, 1, null, entries);
        }
    }

    /**
     * The entries of {@code d} (tags in {@code keep}, or all if null) as {@link Out}s in byte order {@code to}, with
     * sub-IFDs carried along (their own entries all kept).
     */
    static List<Out> copy(Parsed p, Dir d, Set<Integer> keep, ByteOrder to) {
        List<Out> out = new ArrayList<>();
        for (Entry e : d.entries) {
            if (keep != null && !keep.contains(e.tag)) continue;
            if (e.sub != null) {
                out.add(Out.subIfd(e.tag, copy(p, e.sub, null, to)));
            } else if (e.tag != TAG_EXIF_IFD && e.tag != TAG_GPS_IFD && e.tag != TAG_INTEROP_IFD) {
                out.add(Out.of(e.tag, e.type, e.count, swap(p.bytes(e), e.type, p.order, to)));
            }
        }
        return out;
    }

    /** Value bytes of {@code type} converted from byte order {@code from} to {@code to}. */
    static byte[] swap(byte[] v, int type, ByteOrder from, ByteOrder to) {
        if (from == to) return v;
        int unit = switch (type) {
            case 3, 8 -> 2;
            case 4, 9, 11, 13, 5, 10 -> 4;   // rationals are two 4-byte integers
            case 12 -> 8;
            default -> 1;
        };
        if (unit == 1) return v;
        byte[] o = new byte[v.length];
        for (int i = 0; i + unit <= v.length; i += unit) {
            for (int k = 0; k < unit; k++) o[i + k] = v[i + unit - 1 - k];
        }
        return o;
    }

    /**
     * Lays out {@code ifd} (and its sub-IFDs) as a block that will sit at file offset {@code base}: the IFD comes
     * first (at {@code base}, which must be even), then the sub-IFDs, then the out-of-line values. Entries are sorted by
     * tag, as TIFF requires; the next-IFD offset is 0.
     */
    static byte[] serialize(List<Out> ifd, ByteOrder order, long base) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Layout l = new Layout(order, base);
        l.place(ifd);
        l.write(bytes);
        return bytes.toByteArray();
    }

    /** A whole EXIF block (TIFF header + IFD0 at offset 8) from entries. */
    static byte[] exifBlock(List<Out> ifd0, ByteOrder order) {
        byte[] body = serialize(ifd0, order, 8);
        ByteBuffer b = ByteBuffer.allocate(8 + body.length).order(order);
        b.put(order == ByteOrder.LITTLE_ENDIAN ? (byte) 'I' : (byte) 'M');
        b.put(order == ByteOrder.LITTLE_ENDIAN ? (byte) 'I' : (byte) 'M');
        b.putShort((short) 42).putInt(8).put(body);
        return b.array();
    }

    /** Two passes: assign every IFD and value an offset, then write them in that order. */
    private static final class Layout {
        final ByteOrder order;
        final long base;
        final List<List<Out>> dirs = new ArrayList<>();
        final List<Long> dirOffsets = new ArrayList<>();
        final List<byte[]> values = new ArrayList<>();
        final List<Long> valueOffsets = new ArrayList<>();
        long end;

        Layout(ByteOrder order, long base) {
            this.order = order;
            this.base = base;
            this.end = base;
        }

        void place(List<Out> ifd) {
            // breadth first: this IFD, then its sub-IFDs, then all values. write() walks the same order, so the
            // k-th sub-IFD pointer met there is the (k+1)-th directory placed here.
            List<List<Out>> queue = new ArrayList<>();
            queue.add(new ArrayList<>(ifd));
            for (int i = 0; i < queue.size(); i++) {
                List<Out> d = queue.get(i);
                d.sort(Comparator.comparingInt(Out::tag));
                dirs.add(d);
                dirOffsets.add(end);
                end += 2 + 12L * d.size() + 4;
                for (Out o : d) if (o.sub != null) queue.add(new ArrayList<>(o.sub));
            }
            for (List<Out> d : dirs) {
                for (Out o : d) {
                    if (o.sub == null && o.value.length > 4) {
                        if ((end & 1) != 0) end++; // values start on a word boundary
                        values.add(o.value);
                        valueOffsets.add(end);
                        end += o.value.length;
                    }
                }
            }
        }

        void write(ByteArrayOutputStream out) {
            ByteBuffer b = ByteBuffer.allocate((int) (end - base)).order(order);
            int dirIndex = 0, valueIndex = 0, subIndex = 1;
            for (List<Out> d : dirs) {
                int at = (int) (dirOffsets.get(dirIndex++) - base);
                b.putShort(at, (short) d.size());
                int rec = at + 2;
                for (Out o : d) {
                    b.putShort(rec, (short) o.tag).putShort(rec + 2, (short) o.type).putInt(rec + 4, (int) o.count);
                    if (o.sub != null) {
                        b.putInt(rec + 8, (int) (long) dirOffsets.get(subIndex++));
                    } else if (o.value.length > 4) {
                        b.putInt(rec + 8, (int) (long) valueOffsets.get(valueIndex++));
                    } else {
                        for (int k = 0; k < o.value.length; k++) b.put(rec + 8 + k, o.value[k]);
                    }
                    rec += 12;
                }
                b.putInt(rec, 0);
            }
            for (int i = 0; i < values.size(); i++) b.put((int) (valueOffsets.get(i) - base), values.get(i));
            out.writeBytes(b.array());
        }
    }
}
