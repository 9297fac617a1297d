package io.hush.data;

/**
 * Which random augmentations a {@link BatchLoader} applies to each patch; each can be switched alone.
 *
 * @param hflip              mirror left-right with probability 1/2
 * @param vflip              mirror top-bottom with probability 1/2
 * @param rot90              rotate by 0, 90, 180 or 270 degrees, uniformly (180 only, for non-square patches)
 * @param maxRotationDegrees rotate by an angle uniform in [-max, max] about the patch centre, bilinear, reflecting at
 *                           the image border (0: off)
 * @param randomCrop         take each patch at a uniform random position (off: the centred patch)
 */
public record Augment(boolean hflip, boolean vflip, boolean rot90, double maxRotationDegrees, boolean randomCrop) {
    /** Centre crops, nothing else: validation. */
    public static final Augment NONE = new Augment(false, false, false, 0, false);
    /** Random crops and the 8 flips/rotations of the square (DnCNN's augmentation). */
    public static final Augment DEFAULT = new Augment(true, true, true, 0, true);

    public Augment {
        if (!(maxRotationDegrees >= 0 && maxRotationDegrees <= 180)) {
            throw new IllegalArgumentException("max rotation " + maxRotationDegrees + " degrees not in [0,180]");
        }
    }

    public Augment withHflip(boolean on) { return new Augment(on, vflip, rot90, maxRotationDegrees, randomCrop); }
    public Augment withVflip(boolean on) { return new Augment(hflip, on, rot90, maxRotationDegrees, randomCrop); }
    public Augment withRot90(boolean on) { return new Augment(hflip, vflip, on, maxRotationDegrees, randomCrop); }
    public Augment withRotation(double maxDegrees) { return new Augment(hflip, vflip, rot90, maxDegrees, randomCrop); }
    public Augment withRandomCrop(boolean on) { return new Augment(hflip, vflip, rot90, maxRotationDegrees, on); }
}
