package io.hush.data;

import io.hush.image.FloatImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An in-memory set of images (any sizes, one channel count, no alpha), each with a name for messages. Batches are
 * made from it by {@link BatchLoader}; this class only holds, selects and splits.
 */
public final class Dataset {
    private final List<FloatImage> images;
    private final List<String> names;
    private final int channels;

    public Dataset(List<FloatImage> images, List<String> names) {
        if (images.isEmpty()) throw new IllegalArgumentException("empty dataset");
        if (names.size() != images.size()) throw new IllegalArgumentException(names.size() + " names for " + images.size() + " images");
        int c = images.get(0).channels();
        List<FloatImage> own = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            FloatImage im = images.get(i);
            if (im.channels() != c) {
                throw new IllegalArgumentException(names.get(i) + " has " + im.channels() + " channels, "
                        + names.get(0) + " has " + c + " (convert to gray or RGB first)");
            }
            own.add(im.withoutAlpha());
        }
        this.images = List.copyOf(own);
        this.names = List.copyOf(names);
        this.channels = c;
    }

    /** Images named {@code #0, #1, ...}. */
    public static Dataset of(List<FloatImage> images) {
        List<String> n = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) n.add("#" + i);
        return new Dataset(images, n);
    }

    /** The images of an IDX file, each one gray plane, named {@code file#i}. Shares no memory with {@code idx}. */
    public static Dataset fromIdx(IdxReader.Images idx, String name) {
        List<FloatImage> ims = new ArrayList<>(idx.count());
        List<String> n = new ArrayList<>(idx.count());
        for (int i = 0; i < idx.count(); i++) {
            ims.add(FloatImage.gray(idx.cols(), idx.rows(), idx.image(i)));
            n.add(name + "#" + i);
        }
        return new Dataset(ims, n);
    }

    /** Reads an IDX image file (see {@link IdxReader}). */
    public static Dataset fromIdx(Path file) throws IOException {
        return fromIdx(IdxReader.readImages(file), file.getFileName().toString());
    }

    public int size() { return images.size(); }
    public int channels() { return channels; }
    public FloatImage get(int i) { return images.get(i); }
    public String name(int i) { return names.get(i); }
    public List<FloatImage> images() { return images; }

    public int minWidth() { return images.stream().mapToInt(FloatImage::width).min().orElseThrow(); }
    public int minHeight() { return images.stream().mapToInt(FloatImage::height).min().orElseThrow(); }

    /** True if every image has the same width and height. */
    public boolean uniformSize() {
        FloatImage a = images.get(0);
        return images.stream().allMatch(b -> b.width() == a.width() && b.height() == a.height());
    }

    /** The images at {@code indices}, in that order. */
    public Dataset subset(int[] indices) {
        List<FloatImage> ims = new ArrayList<>(indices.length);
        List<String> n = new ArrayList<>(indices.length);
        for (int i : indices) {
            ims.add(images.get(i));
            n.add(names.get(i));
        }
        return new Dataset(ims, n);
    }

    /** Every image in gray (BT.601 luma); this dataset if already gray. */
    public Dataset toGray() {
        if (channels == 1) return this;
        List<FloatImage> ims = new ArrayList<>(images.size());
        for (FloatImage im : images) ims.add(im.toGray());
        return new Dataset(ims, names);
    }

    /** A train/validation split. */
    public record Split(Dataset train, Dataset validation) {}

    /**
     * Splits at random (seeded): {@code round(fraction * size)} images, at least 1 and at most size - 1, go to
     * validation. Both parts keep the original order of their images.
     */
    public Split split(double validationFraction, long seed) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction " + validationFraction + " not in (0,1)");
        }
        if (size() < 2) throw new IllegalArgumentException("cannot split a dataset of " + size() + " image");
        int nv = (int) Math.max(1, Math.min(size() - 1, Math.round(validationFraction * size())));
        int[] perm = BatchLoader.permutation(size(), new SplittableRandom(seed));
        boolean[] isVal = new boolean[size()];
        for (int i = 0; i < nv; i++) isVal[perm[i]] = true;
        int[] t = new int[size() - nv], v = new int[nv];
        for (int i = 0, a = 0, b = 0; i < size(); i++) {
            if (isVal[i]) v[b++] = i;
            else t[a++] = i;
        }
        return new Split(subset(t), subset(v));
    }

    @Override
    public String toString() {
        FloatImage a = images.get(0);
        return size() + " images, " + channels + " channel(s)" + (uniformSize() ? ", " + a.width() + "x" + a.height() : ", mixed sizes");
    }
}
