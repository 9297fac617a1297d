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
 * @param permuteChannels    RGB patches: put the three channels in one of their 6 orders, uniformly
 * @param maxSaturation      RGB patches: with probability 1/2, scale each pixel's distance from its channel mean by a
 *                           factor log-uniform in [1, max], then clip to [0,1] (1: off). Photo sets hold few strongly
 *                           coloured flat areas; without this a colour model learns that channels move together and
 *                           leaves noise on saturated colours
 * @param maxExposure        with probability 1/2, multiply the patch by a gain log-uniform in [1/max, max], then clip
 *                           to [0,1] (1: off): more near-black and near-white areas, where clipped noise is not zero-mean
 */
public record Augment(boolean hflip, boolean vflip, boolean rot90, double maxRotationDegrees, boolean randomCrop,
                      boolean permuteChannels, double maxSaturation, double maxExposure) {
    /** Centre crops, nothing else: validation. */
    public static final Augment NONE = new Augment(false, false, false, 0, false, false, 1, 1);
    /** Random crops and the 8 flips/rotations of the square (DnCNN's augmentation). */
    public static final Augment DEFAULT = new Augment(true, true, true, 0, true, false, 1, 1);
    /** {@link #DEFAULT} with channel orders, saturation up to 2.5x and exposure within 2x: for colour models. */
    public static final Augment COLOR = new Augment(true, true, true, 0, true, true, 2.5, 2);

    public Augment {
        if (!(maxRotationDegrees >= 0 && maxRotationDegrees <= 180)) {
            throw new IllegalArgumentException("max rotation " + maxRotationDegrees + " degrees not in [0,180]");
        }
        if (!(maxSaturation >= 1 && maxSaturation <= 100)) {
            throw new IllegalArgumentException("max saturation " + maxSaturation + " not in [1,100]");
        }
        if (!(maxExposure >= 1 && maxExposure <= 100)) {
            throw new IllegalArgumentException("max exposure " + maxExposure + " not in [1,100]");
        }
    }

    /** Whether any colour change is on (these apply to 3-channel patches only). */
    public boolean changesColour() { return permuteChannels || maxSaturation > 1; }

    public Augment withHflip(boolean on) { return new Augment(on, vflip, rot90, maxRotationDegrees, randomCrop, permuteChannels, maxSaturation, maxExposure); }
    public Augment withVflip(boolean on) { return new Augment(hflip, on, rot90, maxRotationDegrees, randomCrop, permuteChannels, maxSaturation, maxExposure); }
    public Augment withRot90(boolean on) { return new Augment(hflip, vflip, on, maxRotationDegrees, randomCrop, permuteChannels, maxSaturation, maxExposure); }
    public Augment withRotation(double maxDegrees) { return new Augment(hflip, vflip, rot90, maxDegrees, randomCrop, permuteChannels, maxSaturation, maxExposure); }
    public Augment withRandomCrop(boolean on) { return new Augment(hflip, vflip, rot90, maxRotationDegrees, on, permuteChannels, maxSaturation, maxExposure); }
    public Augment withPermuteChannels(boolean on) { return new Augment(hflip, vflip, rot90, maxRotationDegrees, randomCrop, on, maxSaturation, maxExposure); }
    public Augment withMaxSaturation(double max) { return new Augment(hflip, vflip, rot90, maxRotationDegrees, randomCrop, permuteChannels, max, maxExposure); }
    public Augment withMaxExposure(double max) { return new Augment(hflip, vflip, rot90, maxRotationDegrees, randomCrop, permuteChannels, maxSaturation, max); }
}
