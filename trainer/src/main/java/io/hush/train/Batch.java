package io.hush.train;

/**
 * One batch of training pairs as flat NHWC arrays {@code [n,h,w,c]}: the network input {@code noisy} and the target
 * {@code clean}. Sources may reuse one Batch (and its arrays) from call to call: it is valid until the next
 * {@link BatchSource#next}.
 */
public final class Batch {
    public float[] noisy;
    public float[] clean;
    public int n, h, w, c;

    public Batch(float[] noisy, float[] clean, int n, int h, int w, int c) {
        set(noisy, clean, n, h, w, c);
    }

    public Batch set(float[] noisy, float[] clean, int n, int h, int w, int c) {
        long size = (long) n * h * w * c;
        if (clean.length != size || noisy.length != size) {
            throw new IllegalArgumentException("batch [" + n + "," + h + "," + w + "," + c + "] needs " + size
                    + " values, got noisy " + noisy.length + ", clean " + clean.length);
        }
        this.noisy = noisy;
        this.clean = clean;
        this.n = n;
        this.h = h;
        this.w = w;
        this.c = c;
        return this;
    }

    public int perSample() { return h * w * c; }
}
