package io.hush.cli;

import io.hush.denoise.OptionText;
import java.util.OptionalDouble;

/** {@code --sigma S|auto}: a noise level on the 0..255 scale, or null for "estimate it" ({@link OptionText#sigma255}). */
final class Sigma {
    private Sigma() {}

    static Float parse(String s) {
        try {
            OptionalDouble v = OptionText.sigma255(s);
            return v.isPresent() ? (float) v.getAsDouble() : null;
        } catch (IllegalArgumentException e) {
            throw new CliException("--sigma " + e.getMessage(), Main.EXIT_USAGE);
        }
    }
}
