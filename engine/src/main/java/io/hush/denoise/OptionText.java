package io.hush.denoise;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The text forms of the per-call options that front ends take on their command lines ({@code --sigma S|auto},
 * {@code --overlap M|auto}), parsed the same way everywhere. Errors are {@link IllegalArgumentException}s whose
 * message starts with the text given; the caller puts the option's name in front.
 */
public final class OptionText {
    private OptionText() {}

    /** A noise level on the 0..255 scale, or empty for {@code auto} (estimate it) and null. */
    public static OptionalDouble sigma255(String text) {
        if (text == null || text.strip().equalsIgnoreCase("auto")) return OptionalDouble.empty();
        float v;
        try {
            v = Float.parseFloat(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(text + ": expected a number on the 0..255 scale or 'auto'");
        }
        if (!(v >= 0f && v <= 255f)) throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: must be between 0 and 255", text));
        return OptionalDouble.of(v);
    }

    /** A tile overlap in pixels (0 or more), or empty for {@code auto} (from the model's receptive field) and null. */
    public static OptionalInt overlap(String text) {
        if (text == null || text.strip().equalsIgnoreCase("auto")) return OptionalInt.empty();
        try {
            int v = Integer.parseInt(text.strip());
            if (v >= 0) return OptionalInt.of(v);
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException(text + ": expected pixels >= 0 or 'auto'");
    }
}
