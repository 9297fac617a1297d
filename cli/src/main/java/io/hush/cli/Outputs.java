package io.hush.cli;

import io.hush.data.Images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where each input's result goes. With one input file and {@code -o} naming a file ({@code .png}, {@code .jpg},
 * {@code .tif}), that file; otherwise {@code -o} is an existing folder and each result is {@code FOLDER/<input name>}
 * in the input's own format where it can be written (a JPEG stays JPEG, a TIFF stays TIFF, and keeps its extension's
 * spelling; BMP, GIF and PNM become PNG), or as {@code --format} says. Problems that can be seen before any work
 * (output folder missing, output same as input, output exists without --overwrite) are found here, per file.
 */
final class Outputs {
    /** One job: input, output, or the problem that stops it. */
    record Job(Path in, Path out, String problem) {}

    private Outputs() {}

    static List<Job> plan(List<Path> inputs, boolean many, Path out, Images.Format format, boolean overwrite) {
        boolean folder = many || Files.isDirectory(out) || out.toString().endsWith("/")
                || Images.Format.fromFileName(out.getFileName() == null ? "" : out.getFileName().toString()) == null;
        List<Job> jobs = new ArrayList<>();
        if (folder) {
            if (!Files.exists(out)) {
                String why = Images.Format.fromFileName(out.toString()) == null && !many && out.getFileName() != null
                        && out.getFileName().toString().contains(".")
                        ? "unsupported output format (PNG, JPEG or TIFF: .png, .jpg, .jpeg, .tif, .tiff)"
                        : "output folder does not exist";
                throw new CliException(out + ": " + why);
            }
            if (!Files.isDirectory(out)) throw new CliException(out + ": output is a file, but " + inputs.size()
                    + " inputs need an output folder");
            if (!Files.isWritable(out)) throw new CliException(out + ": output folder is not writable");
            Map<Path, Path> taken = new HashMap<>();
            for (Path in : inputs) {
                Images.Format f = format != null ? format : Images.writeBackFormat(in);
                String ext = extension(in.getFileName().toString());
                Path o = out.resolve(ModelFiles.stem(in) + (Images.Format.fromFileName(ext) == f ? ext : f.extension()));
                Path prev = taken.putIfAbsent(o.toAbsolutePath().normalize(), in);
                if (prev != null) {
                    jobs.add(new Job(in, o, "output " + o + " is also the output of " + prev + " (rename one)"));
                } else {
                    jobs.add(check(in, o, overwrite));
                }
            }
        } else {
            Path parent = out.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new CliException(out + ": output folder " + parent + " does not exist");
            }
            if (!Files.isWritable(parent)) throw new CliException(out + ": output folder " + parent + " is not writable");
            Images.Format named = Images.Format.fromFileName(out.getFileName().toString());
            if (format != null && named != format) {
                throw new CliException(out + ": --format " + format.name().toLowerCase(Locale.ROOT) + " but the output"
                        + " file is named as " + named + " (change one of them)", Main.EXIT_USAGE);
            }
            jobs.add(check(inputs.get(0), out, overwrite));
        }
        return jobs;
    }

    private static Job check(Path in, Path out, boolean overwrite) {
        if (same(in, out)) return new Job(in, out, "output is the input file itself (choose another -o)");
        if (Files.exists(out) && !overwrite) {
            return new Job(in, out, "output " + out + " already exists (pass --overwrite to replace it)");
        }
        if (Files.isDirectory(out)) return new Job(in, out, "output " + out + " is a folder");
        return new Job(in, out, null);
    }

    static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) return Files.isSameFile(a, b);
        } catch (IOException e) {
            // fall through to the name comparison
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    static Images.Format format(String s) {
        if (s == null) return null;
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "png" -> Images.Format.PNG;
            case "tif", "tiff" -> Images.Format.TIFF;
            case "jpg", "jpeg" -> Images.Format.JPEG;
            default -> throw new CliException("--format " + s + ": png, jpeg or tiff", Main.EXIT_USAGE);
        };
    }

    /** The extension with its dot ("" if none). */
    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot);
    }
}
