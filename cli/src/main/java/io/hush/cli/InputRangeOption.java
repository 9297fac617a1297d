package io.hush.cli;

import io.hush.engine.Model;
import io.hush.engine.ModelCard;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * {@code --input-range LO,HI}: the value range the model takes, overriding its card (Keras models are imported as
 * taking 0..1, the usual case; one that starts with {@code Rescaling(1/255)} takes 0..255).
 */
final class InputRangeOption {
    @Option(names = "--input-range", paramLabel = "LO,HI",
            description = "Pixel value range the model takes, overriding its model card (default: the card's, else"
                    + " 0,1); e.g. 0,255 for a Keras model that starts with Rescaling(1/255).")
    String range;

    /** {@code m} with the range set in its card (unchanged without the option). */
    Model apply(Model m) {
        if (range == null) return m;
        String[] p = range.split(",");
        float lo, hi;
        try {
            if (p.length != 2) throw new NumberFormatException();
            lo = Float.parseFloat(p[0].trim());
            hi = Float.parseFloat(p[1].trim());
        } catch (NumberFormatException e) {
            throw new CliException("--input-range " + range + ": expected LO,HI (e.g. 0,255)", Main.EXIT_USAGE);
        }
        if (!(hi > lo) || !Float.isFinite(lo) || !Float.isFinite(hi)) {
            throw new CliException(String.format(Locale.ROOT, "--input-range %s: HI must be above LO", range), Main.EXIT_USAGE);
        }
        ModelCard.InputContract c = m.card().input();
        int channels = m.inputShape().dim(-1);
        m.card().input(c == null ? ModelCard.InputContract.anySize(channels, 1, lo, hi)
                : new ModelCard.InputContract(c.channels(), c.anySize(), c.height(), c.width(), c.sizeMultiple(), lo, hi,
                        c.colorSpace()));
        return m;
    }
}
