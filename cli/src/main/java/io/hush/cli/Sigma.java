package io.hush.cli;

import java.util.Locale;

/** {@code --sigma S|auto}: a noise level on the 0..255 scale, or null for "estimate it". */
final class Sigma {
    private Sigma() {}

    static Float parse(String s) {
        if (s == null || s.equalsIgnoreCase("auto")) return null;
        float v;
        try {
            v = Float.parseFloat(s.trim());
        } catch (NumberFormatException e) {
            throw new CliException("--sigma " + s + ": expected a number on the 0..255 scale or 'auto'", Main.EXIT_USAGE);
        }
        if (!(v >= 0f && v <= 255f)) {
            throw new CliException(String.format(Locale.ROOT, "--sigma %s: must be between 0 and 255", s), Main.EXIT_USAGE);
        }
        return v;
    }
}
