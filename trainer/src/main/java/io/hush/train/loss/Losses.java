package io.hush.train.loss;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Losses by name, as written in config files and on the command line. */
public final class Losses {
    private Losses() {}

    /**
     * {@code mse}, {@code l1} (alias {@code mae}), {@code bce}, {@code ssim} (= 1-SSIM), {@code msssim}, or a weighted
     * sum such as {@code 0.84*ssim+0.16*l1} (a term without a weight has weight 1).
     */
    public static Loss parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        if (s.isEmpty()) throw new IllegalArgumentException("empty loss name");
        if (!s.contains("+") && !s.contains("*")) return single(s, spec);
        List<Loss> parts = new ArrayList<>();
        List<Double> w = new ArrayList<>();
        for (String term : s.split("\\+")) {
            int star = term.indexOf('*');
            double weight = 1;
            String name = term;
            if (star >= 0) {
                try {
                    weight = Double.parseDouble(term.substring(0, star));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("loss '" + spec + "': '" + term.substring(0, star) + "' is not a weight");
                }
                name = term.substring(star + 1);
            }
            parts.add(single(name, spec));
            w.add(weight);
        }
        double[] ws = new double[w.size()];
        for (int i = 0; i < ws.length; i++) ws[i] = w.get(i);
        return new WeightedLoss(parts, ws);
    }

    private static Loss single(String name, String spec) {
        return switch (name) {
            case "mse", "l2" -> PixelLoss.mse();
            case "l1", "mae" -> PixelLoss.l1();
            case "bce", "binary_crossentropy" -> PixelLoss.bce();
            case "ssim" -> new SsimLoss();
            case "msssim", "ms-ssim", "ms_ssim" -> new MsSsimLoss();
            default -> throw new IllegalArgumentException("unknown loss '" + name + "' in '" + spec
                    + "' (known: mse, l1, bce, ssim, msssim, and weighted sums like 0.84*ssim+0.16*l1)");
        };
    }
}
