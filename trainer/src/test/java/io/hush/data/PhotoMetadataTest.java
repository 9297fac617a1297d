package io.hush.data;

import io.hush.image.FloatImage;
import org.apache.commons.imaging.Imaging;
import org.apache.commons.imaging.formats.tiff.TiffField;
import org.apache.commons.imaging.formats.tiff.TiffImageMetadata;
import org.apache.commons.imaging.formats.tiff.constants.ExifTagConstants;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Orientation transforms, the EXIF block parser/patcher/serializer, and metadata carried through Images. */
class PhotoMetadataTest {
    @TempDir Path dir;

    /** A 3x2 image whose pixel values are their stored index, so each transform is checked entry by entry. */
    static FloatImage indexed(int w, int h) {
        float[] p = new float[w * h];
        for (int i = 0; i < p.length; i++) p[i] = i;
        return new FloatImage(w, h, new float[][] {p}, p.clone(), 8);
    }

    @Test
    void orientationsMatchTheirDefinitions() {
        // stored 3 wide, 2 high:   0 1 2
        //                          3 4 5
        FloatImage s = indexed(3, 2);
        float[][] expected = {
                {0, 1, 2, 3, 4, 5},          // 1 as stored
                {2, 1, 0, 5, 4, 3},          // 2 mirrored left-right
                {5, 4, 3, 2, 1, 0},          // 3 turned 180
                {3, 4, 5, 0, 1, 2},          // 4 mirrored top-bottom
                {0, 3, 1, 4, 2, 5},          // 5 transposed (2 wide, 3 high)
                {3, 0, 4, 1, 5, 2},          // 6 turned 90 clockwise
                {5, 2, 4, 1, 3, 0},          // 7 transversed
                {2, 5, 1, 4, 0, 3},          // 8 turned 90 counter-clockwise
        };
        for (Orientation o : Orientation.values()) {
            FloatImage u = o.upright(s);
            assertEquals(o.transposes() ? 2 : 3, u.width(), o.name());
            assertArrayEquals(expected[o.tag() - 1], u.plane(0), o.name());
            assertArrayEquals(expected[o.tag() - 1], u.alpha(), o.name() + " alpha");
        }
        assertEquals(Orientation.TOP_LEFT, Orientation.of(0));
        assertEquals(Orientation.TOP_LEFT, Orientation.of(9));
    }

    /** EXIF block: IFD0 (Make, Orientation, EXIF pointer), EXIF IFD (PixelX/YDimension), IFD1 (a 1-entry thumb IFD). */
    static byte[] exif(ByteOrder order, int orientation, int w, int h) {
        List<TiffIfd.Out> exifIfd = new ArrayList<>();
        exifIfd.add(TiffIfd.Out.of(TiffIfd.TAG_PIXEL_X, TiffIfd.LONG, 1, ByteBuffer.allocate(4).order(order).putInt(w).array()));
        exifIfd.add(TiffIfd.Out.of(TiffIfd.TAG_PIXEL_Y, TiffIfd.LONG, 1, ByteBuffer.allocate(4).order(order).putInt(h).array()));
        List<TiffIfd.Out> ifd0 = new ArrayList<>();
        ifd0.add(TiffIfd.Out.of(271, 2, 9, "HushTest\0".getBytes()));
        ifd0.add(TiffIfd.Out.of(TiffIfd.TAG_ORIENTATION, TiffIfd.SHORT, 1,
                ByteBuffer.allocate(2).order(order).putShort((short) orientation).array()));
        ifd0.add(TiffIfd.Out.subIfd(TiffIfd.TAG_EXIF_IFD, exifIfd));
        return TiffIfd.exifBlock(ifd0, order);
    }

    @Test
    void serializedBlocksReadBackWithCommonsImagingInBothByteOrders() throws Exception {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            byte[] b = exif(order, 6, 30, 20);
            TiffImageMetadata m = tiffMetadata(b);
            assertEquals("HushTest", m.findField(TiffTagConstants.TIFF_TAG_MAKE, true).getStringValue().trim());
            assertEquals(6, m.findField(TiffTagConstants.TIFF_TAG_ORIENTATION, true).getIntValue());
            assertEquals(30, m.findField(ExifTagConstants.EXIF_TAG_EXIF_IMAGE_WIDTH, true).getIntValue());

            TiffIfd.Parsed p = TiffIfd.parse(ByteBuffer.wrap(b), "EXIF block");
            byte[] up = TiffIfd.patchUpright(b, p, Orientation.RIGHT_TOP);
            assertEquals(b.length, up.length, "patched in place");
            TiffImageMetadata u = tiffMetadata(up);
            assertEquals(1, u.findField(TiffTagConstants.TIFF_TAG_ORIENTATION, true).getIntValue());
            assertEquals(20, u.findField(ExifTagConstants.EXIF_TAG_EXIF_IMAGE_WIDTH, true).getIntValue(), "swapped");
            assertEquals(30, u.findField(ExifTagConstants.EXIF_TAG_EXIF_IMAGE_LENGTH, true).getIntValue());

            // re-laid out in the other byte order: same values
            ByteOrder other = order == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            byte[] swapped = TiffIfd.exifBlock(TiffIfd.copy(p, p.ifd0(), null, other), other);
            TiffImageMetadata s = tiffMetadata(swapped);
            assertEquals(6, s.findField(TiffTagConstants.TIFF_TAG_ORIENTATION, true).getIntValue());
            assertEquals(20, s.findField(ExifTagConstants.EXIF_TAG_EXIF_IMAGE_LENGTH, true).getIntValue());
        }
    }

    /** commons-imaging reads a bare EXIF block as a TIFF (a 1x1 TIFF around it is not needed for metadata). */
    static TiffImageMetadata tiffMetadata(byte[] block) throws IOException {
        return (TiffImageMetadata) Imaging.getMetadata(block);
    }

    @Test
    void truncatedAndLyingBlocksAreRefusedWithTheEntryNamed() {
        byte[] b = exif(ByteOrder.LITTLE_ENDIAN, 1, 4, 4);
        byte[] cut = java.util.Arrays.copyOf(b, 20);
        TiffIfd.BadTiffException e = assertThrows(TiffIfd.BadTiffException.class,
                () -> TiffIfd.parse(ByteBuffer.wrap(cut), "EXIF block"));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        byte[] lie = b.clone();
        ByteBuffer.wrap(lie).order(ByteOrder.LITTLE_ENDIAN).putInt(8 + 2 + 4, 0x7FFFFFFF); // Make's count
        e = assertThrows(TiffIfd.BadTiffException.class, () -> TiffIfd.parse(ByteBuffer.wrap(lie), "EXIF block"));
        assertTrue(e.getMessage().contains("entry 0x010F claims 2147483647 bytes"), e.getMessage());
        byte[] loop = b.clone(); // EXIF IFD pointer back to IFD0
        TiffIfd.Parsed p = assertDoesNotThrow(() -> TiffIfd.parse(ByteBuffer.wrap(b), "EXIF block"));
        ByteBuffer.wrap(loop).order(ByteOrder.LITTLE_ENDIAN).putInt(p.ifd0().get(TiffIfd.TAG_EXIF_IFD).valuePos(), 8);
        e = assertThrows(TiffIfd.BadTiffException.class, () -> TiffIfd.parse(ByteBuffer.wrap(loop), "EXIF block"));
        assertTrue(e.getMessage().contains("loops"), e.getMessage());
    }

    /** EXIF and ICC survive every pair of input and output containers, orientation made 1 on the way. */
    @Test
    void metadataCarriedAcrossFormats() throws IOException {
        FloatImage img = ImagesTest.image(6, 4, 3, false, 8, 7);
        byte[] icc = java.awt.color.ICC_Profile.getInstance(java.awt.color.ColorSpace.CS_LINEAR_RGB).getData();
        PhotoMetadata meta = new PhotoMetadata(Images.Format.JPEG, Orientation.LEFT_BOTTOM,
                exif(ByteOrder.BIG_ENDIAN, 8, 4, 6), icc, null);
        for (Images.Format first : Images.Format.values()) {
            Path a = dir.resolve("a" + first.extension());
            Images.write(a, img, first, 8, meta, 95);
            Images.Photo pa = Images.readPhoto(a, 1000);
            assertEquals(Orientation.TOP_LEFT, pa.metadata().orientation(), first + ": written upright");
            assertArrayEquals(icc, pa.metadata().icc(), first + ": ICC kept");
            assertEquals(first, pa.metadata().format());
            TiffImageMetadata m = exifOf(pa);
            assertEquals("HushTest", m.findField(TiffTagConstants.TIFF_TAG_MAKE, true).getStringValue().trim(), first.name());
            assertEquals(6, m.findField(ExifTagConstants.EXIF_TAG_EXIF_IMAGE_WIDTH, true).getIntValue(), first.name());
            for (Images.Format second : Images.Format.values()) {
                Path b = dir.resolve("b" + first + second.extension());
                Images.write(b, pa.image(), second, 8, pa.metadata(), 95);
                Images.Photo pb = Images.readPhoto(b, 1000);
                assertArrayEquals(icc, pb.metadata().icc(), first + " -> " + second);
                TiffImageMetadata mb = exifOf(pb);
                TiffField o = mb.findField(TiffTagConstants.TIFF_TAG_ORIENTATION, true);
                assertTrue(o == null || o.getIntValue() == 1, first + " -> " + second);
                assertEquals(4, mb.findField(ExifTagConstants.EXIF_TAG_EXIF_IMAGE_LENGTH, true).getIntValue());
                if (first != Images.Format.JPEG && second != Images.Format.JPEG) {
                    assertEquals(img, pb.image(), first + " -> " + second + " lossless");
                }
            }
        }
    }

    static TiffImageMetadata exifOf(Images.Photo p) throws IOException {
        byte[] e = p.metadata().exif();
        assertNotNull(e, "EXIF kept");
        return tiffMetadata(e);
    }

    @Test
    void oversizedIccIsRefusedBeforeDecoding() throws IOException {
        Path p = dir.resolve("big.jpg");
        Images.write(p, ImagesTest.image(8, 8, 3, false, 8, 1), Images.Format.JPEG, 8);
        byte[] jpeg = Files.readAllBytes(p);
        byte[] icc = new byte[PhotoFiles.MAX_ICC_BYTES + 200];
        ByteBuffer.wrap(icc).putInt(0, icc.length);
        Files.write(p, PhotoFiles.jpegWith(jpeg, null, icc));
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> Images.read(p));
        assertTrue(e.getMessage().contains("over the limit of 8 MiB"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
