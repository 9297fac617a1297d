package io.hush.cli;

import io.hush.data.Images;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Expands command-line inputs into image files: a file stands for itself (even if it turns out not to be an image:
 * reading it then reports the problem), a folder for the image files directly inside it (by extension, sorted), and
 * a quoted glob such as {@code 'shots/*.png'} for the files it matches. A name that matches nothing is kept, so
 * that it is reported as missing with the other results instead of silently dropped.
 */
final class InputFiles {
    /** The expanded files, and whether any argument was a folder or glob (so the output must be a folder). */
    record Expanded(List<Path> files, boolean many) {}

    private InputFiles() {}

    static Expanded expand(List<String> args) {
        List<Path> out = new ArrayList<>();
        boolean many = args.size() > 1;
        for (String a : args) {
            Path p = Path.of(a);
            if (Files.isDirectory(p)) {
                many = true;
                List<Path> found = list(p, "*");
                if (found.isEmpty()) throw new CliException(a + ": folder contains no image files");
                out.addAll(found);
            } else if (!Files.exists(p) && isGlob(a)) {
                many = true;
                Path dir = globBase(a);
                String rel = dir.toString().isEmpty() ? a : a.substring(Math.min(a.length(), dir.toString().length() + 1));
                List<Path> found = new ArrayList<>(list(dir.toString().isEmpty() ? Path.of(".") : dir, rel));
                if (found.isEmpty()) throw new CliException(a + ": no image files match");
                if (dir.toString().isEmpty()) found.replaceAll(f -> Path.of(".").relativize(f));
                out.addAll(found);
            } else {
                out.add(p);
            }
        }
        return new Expanded(out, many);
    }

    static boolean isGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }

    /** The folder part of a glob before its first wildcard component ("" for the current folder). */
    private static Path globBase(String glob) {
        Path p = Path.of(glob.replace('*', 'x').replace('?', 'x')); // parse safely, then count components
        String[] parts = glob.split("/", -1);
        StringBuilder base = new StringBuilder(glob.startsWith("/") ? "/" : "");
        for (int i = 0; i < parts.length - 1; i++) {
            if (isGlob(parts[i])) break;
            if (parts[i].isEmpty()) continue;
            if (base.length() > 0 && base.charAt(base.length() - 1) != '/') base.append('/');
            base.append(parts[i]);
        }
        return p.getFileSystem().getPath(base.toString());
    }

    private static List<Path> list(Path dir, String glob) {
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        int depth = glob.contains("**") ? Integer.MAX_VALUE : glob.split("/").length;
        try (Stream<Path> s = Files.walk(dir, depth)) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> m.matches(dir.relativize(f)))
                    .filter(f -> Images.isImageFileName(f.getFileName().toString()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new CliException(dir + ": cannot list folder (" + e.getMessage() + ")");
        }
    }
}
