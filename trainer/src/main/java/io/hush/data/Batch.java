package io.hush.data;

/**
 * One training batch, NHWC: {@code input} and {@code target} are both {@code [n, h, w, c]}. {@code target} is the clean
 * patch; {@code input} the same with noise ({@code input == target}, the same array, when the loader has no noise).
 * {@code images[i]} is the dataset index sample i was cut from.
 */
public record Batch(int epoch, int index, int n, int h, int w, int c, float[] input, float[] target, int[] images) {
    /** Values per sample, {@code h * w * c}. */
    public int sampleSize() { return h * w * c; }
}
