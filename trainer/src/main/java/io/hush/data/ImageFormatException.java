package io.hush.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Every failure to read or write an image or IDX file: missing, empty, not an image, truncated or corrupt,
 * unsupported format or bit depth, too large. The message is one line: {@code <file>: <problem>}.
 */
public class ImageFormatException extends IOException {
    private final Path file;

    public ImageFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public ImageFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem + (cause != null && cause.getMessage() != null
                ? " (" + oneLine(cause.getMessage()) + ")" : ""), cause);
        this.file = file;
    }

    /** The file the problem is about. */
    public Path file() { return file; }

    private static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }
}
