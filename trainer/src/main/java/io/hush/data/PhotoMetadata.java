package io.hush.data;

import java.nio.ByteBuffer;

/**
 * What a photo file says besides its pixels, as {@link Images#readPhoto} found it, for {@link Images#write(
 * java.nio.file.Path, io.hush.image.FloatImage, Images.Format, int, PhotoMetadata, int) writing} it back with the
 * result:
 *
 * <ul>
 *   <li>the format the input can be written back in ({@link #format}: JPEG, TIFF, or PNG for PNG, BMP, GIF, PNM);</li>
 *   <li>the EXIF orientation, already applied to the pixels {@code readPhoto} returns;</li>
 *   <li>the EXIF block (camera, date, exposure, GPS...) as a TIFF structure, exactly as the file held it; written
 *       back by {@link #uprightExif()} with the orientation made 1, since the pixels written are upright;</li>
 *   <li>the ICC profile the returned samples are encoded in, or null for sRGB (or no profile). RGB and gray images
 *       keep their own encoding: their samples are returned, denoised and written as stored, with their profile, so
 *       an Adobe RGB or ProPhoto picture loses no gamut to a conversion. CMYK and YCCK pictures are converted to sRGB
 *       on reading (with their embedded profile), so for them this is null and {@link #conversion()} says so.</li>
 * </ul>
 */
public final class PhotoMetadata {
    /** No metadata: written as a plain PNG/TIFF/JPEG of sRGB samples. */
    public static final PhotoMetadata NONE = new PhotoMetadata(Images.Format.PNG, Orientation.TOP_LEFT, null, null, null);

    private final Images.Format format;
    private final Orientation orientation;
    private final byte[] exif;
    private final byte[] icc;
    private final String conversion;

    PhotoMetadata(Images.Format format, Orientation orientation, byte[] exif, byte[] icc, String conversion) {
        this.format = format;
        this.orientation = orientation;
        this.exif = exif;
        this.icc = icc;
        this.conversion = conversion;
    }

    /** The output format that keeps the input's: JPEG, TIFF, or PNG (PNG, BMP, GIF and PNM inputs). */
    public Images.Format format() { return format; }

    /** The input's EXIF orientation (already applied to the pixels read). */
    public Orientation orientation() { return orientation; }

    /** The EXIF block as stored in the file (a TIFF structure, without JPEG's {@code Exif\0\0} prefix), or null. */
    public byte[] exif() { return exif == null ? null : exif.clone(); }

    /** The ICC profile of the samples read, or null (sRGB, or a gray/RGB file without a profile). */
    public byte[] icc() { return icc == null ? null : icc.clone(); }

    /** How the colours were converted on reading ("CMYK converted to sRGB with the embedded profile"), or null. */
    public String conversion() { return conversion; }

    /**
     * The EXIF block for the upright pixels {@link Images#readPhoto} returned: orientation 1, EXIF pixel dimensions
     * swapped if the orientation turned the picture by 90 degrees, the thumbnail (still the old way up) unlinked;
     * patched in place, so everything else, maker notes included, is byte for byte the input's. Null if none.
     */
    public byte[] uprightExif() {
        if (exif == null) return null;
        try {
            return TiffIfd.patchUpright(exif, TiffIfd.parse(ByteBuffer.wrap(exif), "EXIF block"), orientation);
        } catch (TiffIfd.BadTiffException e) {
            throw new IllegalStateException("EXIF block was checked on reading: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return format + ", orientation " + orientation.tag() + (exif != null ? ", EXIF " + exif.length + " bytes" : "")
                + (icc != null ? ", ICC profile " + icc.length + " bytes" : "") + (conversion != null ? ", " + conversion : "");
    }
}
