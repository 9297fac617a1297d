package io.hush.data;

/**
 * One training batch, NHWC: {@code input} and {@code target} are both {@code [n, h, w, c]}. {@code target} is the clean
 * patch; {@code input} the same with noise ({@code input == target}, the same array, when the source adds no noise).
 * {@code images[i]} is the index (in the data set or image array) sample i was taken from. {@code index} is the
 * batch's position in epoch {@code epoch}.
 *
 * <p>Sources may hand out the same arrays call after call (the trainer's in-memory source does): a batch is valid
 * until its source's next batch.
 */
public record Batch(int epoch, int index, int n, int h, int w, int c, float[] input, float[] target, int[] images) {
    /** Checks that both arrays hold {@code n*h*w*c} values and {@code images} one entry per sample. */
    public Batch {
        long size = (long) n * h * w * c;
        if (target.length != size || input.length != size || images.length != n) {
            throw new IllegalArgumentException("batch [" + n + "," + h + "," + w + "," + c + "] needs " + size
                    + " values and " + n + " image indices, got input " + input.length + ", target " + target.length
                    + ", indices " + images.length);
        }
    }

    /** Values per sample, {@code h * w * c}. */
    public int sampleSize() { return h * w * c; }
}
