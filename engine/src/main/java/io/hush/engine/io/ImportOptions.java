package io.hush.engine.io;

/**
 * Choices an importer cannot read from a foreign file.
 *
 * @param height   build-time input height for models whose input size is not fixed (None in Keras); 0 = the
 *                 importer's default. Fully convolutional models take other sizes afterwards anyway.
 * @param width    likewise for the width
 * @param valueMin the pixel range the model expects, recorded in its card's input contract; NaN = the importer's
 *                 default (Keras image models usually take 0..1)
 * @param valueMax upper end of that range
 */
public record ImportOptions(int height, int width, float valueMin, float valueMax) {
    /** Importer defaults for everything. */
    public static final ImportOptions DEFAULT = new ImportOptions(0, 0, Float.NaN, Float.NaN);

    public ImportOptions {
        if (height < 0 || width < 0) throw new IllegalArgumentException("import size must be >= 0, got " + height + "x" + width);
        if (Float.isNaN(valueMin) != Float.isNaN(valueMax) || (!Float.isNaN(valueMin) && !(valueMin < valueMax))) {
            throw new IllegalArgumentException("input range must be min < max (or both unset), got " + valueMin + ".." + valueMax);
        }
    }

    /** These options with another input value range (e.g. {@code --input-range 0,255}). */
    public ImportOptions withInputRange(float min, float max) {
        return new ImportOptions(height, width, min, max);
    }

    /** These options with another build-time input size. */
    public ImportOptions withSize(int h, int w) {
        return new ImportOptions(h, w, valueMin, valueMax);
    }

    /** Whether an input range was given. */
    public boolean hasInputRange() { return !Float.isNaN(valueMin); }
}
