package io.hush.data;

import io.hush.image.FloatImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Real noisy/clean image pairs, matched by file name, read one pair at a time (a folder of large photos is never held
 * whole). Two layouts:
 * <ul>
 *   <li>{@linkplain #suffixed Suffixed}: one folder holding {@code NAME_real.EXT} (noisy) and {@code NAME_mean.EXT}
 *       (clean) files, as the PolyU real-noise set does ({@code Canon5D2_5_160_3200_chair_11_real.JPG} and
 *       {@code ..._mean.JPG}); the pair is named {@code NAME}.</li>
 *   <li>{@linkplain #matched Matched}: two folders, noisy and clean, whose files pair by name without extension
 *       ({@code noisy/a.png} with {@code clean/a.jpg}); {@link #detect} takes a folder holding {@code noisy/} and
 *       {@code clean/} sub-folders.</li>
 * </ul>
 * Pairs are sorted by name. A file without a partner, two files of one name, or an empty folder is an error that
 * names every such file at once; a pair whose two images differ in size or channels fails when it is {@link #read}.
 */
public final class PairedFolder {
    /** Noisy-file suffix (before the extension) of the suffixed layout. */
    public static final String NOISY_SUFFIX = "_real";
    /** Clean-file suffix of the suffixed layout. */
    public static final String CLEAN_SUFFIX = "_mean";
    /** Sub-folder names of a folder in the matched layout. */
    public static final String NOISY_DIR = "noisy", CLEAN_DIR = "clean";

    /** One pair: its name (the shared file name without suffix and extension) and its two files. */
    public record Pair(String name, Path noisy, Path clean) {}

    /** Both images of a pair, decoded (alpha dropped), the same size and channel count. */
    public record Loaded(FloatImage noisy, FloatImage clean) {}

    private PairedFolder() {}

    /**
     * The pairs of {@code dir} if it is paired: it has {@code noisy/} and {@code clean/} sub-folders, or some image file
     * in it is named {@code *_real.*} or {@code *_mean.*}. Empty if it is a plain folder of (clean) images.
     *
     * @throws ImageFormatException if it is paired but some file has no partner, or a folder holds no images
     */
    public static Optional<List<Pair>> detect(Path dir) throws IOException {
        Path noisy = dir.resolve(NOISY_DIR), clean = dir.resolve(CLEAN_DIR);
        if (Files.isDirectory(noisy) && Files.isDirectory(clean)) return Optional.of(matched(noisy, clean));
        if (!Files.isDirectory(dir)) return Optional.empty();
        for (Path f : ImageFolder.list(dir)) {
            if (suffix(stem(f)) != null) return Optional.of(suffixed(dir));
        }
        return Optional.empty();
    }

    /** The {@code NAME_real} / {@code NAME_mean} pairs of one folder. */
    public static List<Pair> suffixed(Path dir) throws IOException {
        Map<String, Path> noisy = new TreeMap<>(), clean = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Path f : ImageFolder.list(dir)) {
            String stem = stem(f), sfx = suffix(stem);
            if (sfx == null) {
                problems.add(f.getFileName() + " (neither " + NOISY_SUFFIX + " nor " + CLEAN_SUFFIX + ")");
                continue;
            }
            String name = stem.substring(0, stem.length() - sfx.length());
            Path old = (sfx.equalsIgnoreCase(NOISY_SUFFIX) ? noisy : clean).put(name, f);
            if (old != null) problems.add(f.getFileName() + " (same name as " + old.getFileName() + ")");
        }
        for (String n : noisy.keySet()) {
            if (!clean.containsKey(n)) problems.add(noisy.get(n).getFileName() + " (no " + n + CLEAN_SUFFIX + ")");
        }
        for (String n : clean.keySet()) {
            if (!noisy.containsKey(n)) problems.add(clean.get(n).getFileName() + " (no " + n + NOISY_SUFFIX + ")");
        }
        failIfAny(dir, problems);
        List<Pair> out = new ArrayList<>();
        for (String n : noisy.keySet()) out.add(new Pair(n, noisy.get(n), clean.get(n)));
        return out;
    }

    /** The pairs of a noisy and a clean folder, matched by file name without extension. */
    public static List<Pair> matched(Path noisyDir, Path cleanDir) throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, Path> noisy = byStem(noisyDir, problems), clean = byStem(cleanDir, problems);
        for (String n : noisy.keySet()) {
            if (!clean.containsKey(n)) problems.add(noisyDir.resolve(noisy.get(n).getFileName()) + " (no " + n + ".* in " + cleanDir + ")");
        }
        for (String n : clean.keySet()) {
            if (!noisy.containsKey(n)) problems.add(cleanDir.resolve(clean.get(n).getFileName()) + " (no " + n + ".* in " + noisyDir + ")");
        }
        failIfAny(noisyDir, problems);
        List<Pair> out = new ArrayList<>();
        for (String n : noisy.keySet()) out.add(new Pair(n, noisy.get(n), clean.get(n)));
        return out;
    }

    /**
     * Reads one pair (alpha dropped; {@code gray} converts both to BT.601 luma), refusing images over
     * {@code maxPixels} and pairs whose images differ in size or channel count.
     */
    public static Loaded read(Pair p, boolean gray, long maxPixels) throws ImageFormatException {
        FloatImage noisy = Images.read(p.noisy(), maxPixels).withoutAlpha(), clean = Images.read(p.clean(), maxPixels).withoutAlpha();
        if (noisy.width() != clean.width() || noisy.height() != clean.height() || noisy.channels() != clean.channels()) {
            throw new ImageFormatException(p.noisy(), String.format(Locale.ROOT, "%dx%d with %d channel(s), but its clean"
                    + " partner %s is %dx%d with %d: a pair must match in size and channels", noisy.width(), noisy.height(),
                    noisy.channels(), p.clean().getFileName(), clean.width(), clean.height(), clean.channels()));
        }
        return gray ? new Loaded(noisy.toGray(), clean.toGray()) : new Loaded(noisy, clean);
    }

    /**
     * Checks from the file headers alone (no decoding) that both images of every pair have the same size (either way
     * round: an EXIF orientation may turn one upright on {@link #read}, which checks exactly); names every pair that
     * does not at once.
     */
    public static void checkSizes(List<Pair> pairs) throws ImageFormatException {
        List<String> bad = new ArrayList<>();
        Path first = null;
        for (Pair p : pairs) {
            long[] a = Images.size(p.noisy()), b = Images.size(p.clean());
            if (Math.min(a[0], a[1]) != Math.min(b[0], b[1]) || Math.max(a[0], a[1]) != Math.max(b[0], b[1])) {
                if (first == null) first = p.noisy().getParent();
                bad.add(String.format(Locale.ROOT, "%s (noisy %dx%d, clean %dx%d)", p.name(), a[0], a[1], b[0], b[1]));
            }
        }
        if (!bad.isEmpty()) {
            throw new ImageFormatException(first, bad.size() + " pair(s) whose noisy and clean images differ in size: " + String.join(", ", bad));
        }
    }

    private static Map<String, Path> byStem(Path dir, List<String> problems) throws IOException {
        Map<String, Path> out = new TreeMap<>();
        for (Path f : ImageFolder.list(dir)) {
            Path old = out.put(stem(f), f);
            if (old != null) problems.add(f + " (same name as " + old.getFileName() + ")");
        }
        return out;
    }

    private static void failIfAny(Path dir, List<String> problems) throws ImageFormatException {
        if (problems.isEmpty()) return;
        String[] sorted = problems.toArray(String[]::new);
        Arrays.sort(sorted);
        throw new ImageFormatException(dir, sorted.length + " unpaired file(s): " + String.join(", ", sorted));
    }

    /** The file name without its extension. */
    static String stem(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** The noisy or clean suffix {@code stem} ends with (as written in the file name), or null. */
    private static String suffix(String stem) {
        String lower = stem.toLowerCase(Locale.ROOT);
        for (String s : new String[] {NOISY_SUFFIX, CLEAN_SUFFIX}) {
            if (lower.endsWith(s) && lower.length() > s.length()) return stem.substring(stem.length() - s.length());
        }
        return null;
    }
}
