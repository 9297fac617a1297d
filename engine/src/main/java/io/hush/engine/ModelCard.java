package io.hush.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a model is for and how it was made, saved in its file: name, description, the input it expects, the noise it
 * was trained to remove, the training recipe and data, measured metrics, when and by which Hush it was written.
 * Every part is optional (null / empty when unknown). Noise levels and value ranges are in the input's units
 * (sigma 25 on 0..255 images is 25/255 when the model takes 0..1).
 *
 * <pre>{@code
 * model.card().name("dncnn-s25").description("DnCNN-S, grey, sigma 25")
 *     .input(ModelCard.InputContract.anySize(1, 1, 0f, 1f))
 *     .noise(ModelCard.Noise.gaussian(25f / 255))
 *     .metric(new ModelCard.Metric("PSNR", "BSD68", 25f / 255, 29.23));
 * }</pre>
 */
public final class ModelCard {
    private String name = "";
    private String description = "";
    private InputContract input;
    private Noise noise;
    private Training training;
    private final List<Metric> metrics = new ArrayList<>();
    private Instant created;
    private String hushVersion = "";
    private final Map<String, String> extra = new LinkedHashMap<>();
    private Output output = Output.UNKNOWN;

    /**
     * What a model's output is: the clean image, or the noise (residual learning without the subtraction in the
     * graph: clean = input - output). UNKNOWN for cards written before Hush recorded it.
     */
    public enum Output { UNKNOWN, CLEAN, NOISE }

    /**
     * The input a model takes: channel count, a fixed size or any size (a multiple of {@code sizeMultiple}, e.g. 4
     * after two 2x poolings; 0 or 1 = any), the pixel value range, and a colour space name ("gray", "rgb", ...).
     */
    public record InputContract(int channels, boolean anySize, int height, int width, int sizeMultiple,
                                float valueMin, float valueMax, String colorSpace) {
        public InputContract {
            colorSpace = colorSpace == null ? "" : colorSpace;
        }

        public static InputContract fixed(int height, int width, int channels, float valueMin, float valueMax) {
            return new InputContract(channels, false, height, width, 0, valueMin, valueMax, "");
        }

        public static InputContract anySize(int channels, int sizeMultiple, float valueMin, float valueMax) {
            return new InputContract(channels, true, 0, 0, sizeMultiple, valueMin, valueMax, "");
        }

        @Override public String toString() {
            String size = anySize ? "any size" + (sizeMultiple > 1 ? " (multiple of " + sizeMultiple + ")" : "")
                    : height + "x" + width;
            return channels + " channel(s)" + (colorSpace.isEmpty() ? "" : " " + colorSpace) + ", " + size
                    + ", values " + valueMin + ".." + valueMax;
        }
    }

    /**
     * The noise a model was trained for: a type ("gaussian", "poisson", ...) and a fixed {@code sigma}, or for blind
     * models a range {@code [sigmaMin, sigmaMax]} (sigma 0).
     */
    public record Noise(String type, float sigma, float sigmaMin, float sigmaMax) {
        public Noise {
            type = type == null ? "" : type;
        }

        public static Noise gaussian(float sigma) { return new Noise("gaussian", sigma, 0f, 0f); }

        public static Noise gaussianRange(float sigmaMin, float sigmaMax) {
            return new Noise("gaussian", 0f, sigmaMin, sigmaMax);
        }

        public boolean blind() { return sigma == 0f && sigmaMax > 0f; }

        @Override public String toString() {
            return type + (blind() ? " sigma " + sigmaMin + ".." + sigmaMax : " sigma " + sigma);
        }
    }

    /** How it was trained: a recipe (free text), the data set, and counts; empty / 0 when unknown. */
    public record Training(String recipe, String dataset, int epochs, long steps, long seed, String loss) {
        public Training {
            recipe = recipe == null ? "" : recipe;
            dataset = dataset == null ? "" : dataset;
            loss = loss == null ? "" : loss;
        }
    }

    /** A measured metric ("PSNR" in dB, "SSIM") on a named set at a noise level (0 = not applicable). */
    public record Metric(String name, String dataset, float sigma, double value) {
        public Metric {
            name = name == null ? "" : name;
            dataset = dataset == null ? "" : dataset;
        }
    }

    public String name() { return name; }

    public ModelCard name(String v) {
        name = v == null ? "" : v;
        return this;
    }

    public String description() { return description; }

    public ModelCard description(String v) {
        description = v == null ? "" : v;
        return this;
    }

    /** The input contract, or null when unknown. */
    public InputContract input() { return input; }

    public ModelCard input(InputContract v) {
        input = v;
        return this;
    }

    /** The noise trained for, or null when unknown. */
    public Noise noise() { return noise; }

    public ModelCard noise(Noise v) {
        noise = v;
        return this;
    }

    /** The training recipe, or null when unknown. */
    public Training training() { return training; }

    public ModelCard training(Training v) {
        training = v;
        return this;
    }

    /** Measured metrics, in the order added (a live list). */
    public List<Metric> metrics() { return metrics; }

    public ModelCard metric(Metric m) {
        metrics.add(m);
        return this;
    }

    /** Creation time, or null when unknown (saving stamps the time of saving then). */
    public Instant created() { return created; }

    public ModelCard created(Instant v) {
        created = v;
        return this;
    }

    /** Version of Hush that wrote the file this card was loaded from ("" for a model not loaded from a file). */
    public String hushVersion() { return hushVersion; }

    public ModelCard hushVersion(String v) {
        hushVersion = v == null ? "" : v;
        return this;
    }

    /** What the model outputs ({@link Output#UNKNOWN} when the card does not say). */
    public Output output() { return output; }

    public ModelCard output(Output v) {
        output = v == null ? Output.UNKNOWN : v;
        return this;
    }

    /** Free-form key/value metadata (a live map; {@link Model#metadata()} is this map). */
    public Map<String, String> extra() { return extra; }

    /** Replaces everything in this card with the contents of {@code o}. */
    public ModelCard copyFrom(ModelCard o) {
        name = o.name;
        description = o.description;
        input = o.input;
        noise = o.noise;
        training = o.training;
        metrics.clear();
        metrics.addAll(o.metrics);
        created = o.created;
        hushVersion = o.hushVersion;
        output = o.output;
        extra.clear();
        extra.putAll(o.extra);
        return this;
    }
}
