package io.hush.engine.io;

import io.hush.engine.Model;
import io.hush.engine.ModelCard;
import io.hush.engine.Shape;
import io.hush.engine.graph.Node;
import io.hush.engine.layers.Param;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text {@code hush info} prints: an architecture table (node, layer name and type, inputs, output shape,
 * parameter count), parameter totals, forward FLOPs per image and per pixel, and the model card.
 *
 * <pre>
 *   #  layer             type     inputs  output        params
 *   0  input             Input    -       [40,40,1]          0
 *   1  conv2d_1          Conv2D   0       [40,40,64]       640
 *   ...
 * </pre>
 */
public final class ModelSummary {
    private ModelSummary() {}

    /** Summary at the model's build-time input shape. */
    public static String render(Model model) {
        return render(model, model.inputShape());
    }

    /** Summary with output shapes and FLOPs for another per-sample input shape (e.g. a 1080x1920 image). */
    public static String render(Model model, Shape input) {
        List<Node> nodes = model.nodes();
        Shape[] shapes = new Shape[nodes.size()];
        shapes[0] = input;
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"#", "layer", "type", "inputs", "output", "params"});
        rows.add(new String[]{"0", "input", "Input", "-", input.toString(), "0"});
        long trainable = 0, frozen = 0;
        for (int i = 1; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Shape[] in = new Shape[n.inputs().length];
            for (int k = 0; k < in.length; k++) in[k] = shapes[n.inputs()[k]];
            shapes[i] = n.layer().outputShape(in);
            long count = 0;
            for (Param p : n.layer().params()) {
                count += p.value.size();
                if (p.trainable) trainable += p.value.size();
                else frozen += p.value.size();
            }
            StringBuilder ins = new StringBuilder();
            for (int src : n.inputs()) ins.append(ins.isEmpty() ? "" : ",").append(src);
            rows.add(new String[]{Integer.toString(i), n.layer().name(), n.layer().type(), ins.toString(),
                    shapes[i].toString(), group(count)});
        }
        StringBuilder sb = new StringBuilder();
        ModelCard c = model.card();
        if (!c.name().isEmpty()) sb.append("Model: ").append(c.name()).append('\n');
        if (!c.description().isEmpty()) sb.append(c.description()).append('\n');
        if (!sb.isEmpty()) sb.append('\n');
        table(rows, sb);
        sb.append('\n');
        sb.append("Parameters: ").append(group(trainable + frozen));
        if (frozen > 0) sb.append(" (").append(group(trainable)).append(" trainable, ").append(group(frozen)).append(" not)");
        sb.append('\n');
        long flops = model.flops(input);
        sb.append("FLOPs at ").append(input).append(": ").append(si(flops)).append(" per image");
        if (input.rank() == 3) {
            double perPixel = flops / ((double) input.dim(0) * input.dim(1));
            sb.append(", ").append(si(perPixel)).append(" per pixel");
        }
        sb.append(" (multiply-add = 2)\n");
        card(c, sb);
        return sb.toString();
    }

    private static void card(ModelCard c, StringBuilder sb) {
        if (c.input() != null) sb.append("Input: ").append(c.input()).append('\n');
        if (c.noise() != null) sb.append("Noise: ").append(c.noise()).append('\n');
        ModelCard.Training t = c.training();
        if (t != null) {
            sb.append("Training:");
            if (!t.recipe().isEmpty()) sb.append(' ').append(t.recipe());
            if (!t.loss().isEmpty()) sb.append("; loss ").append(t.loss());
            if (t.epochs() > 0) sb.append("; ").append(t.epochs()).append(" epochs");
            if (t.steps() > 0) sb.append("; ").append(t.steps()).append(" steps");
            if (t.seed() != 0) sb.append("; seed ").append(t.seed());
            sb.append('\n');
            if (!t.dataset().isEmpty()) sb.append("Data: ").append(t.dataset()).append('\n');
        }
        if (!c.metrics().isEmpty()) {
            sb.append("Metrics:\n");
            for (ModelCard.Metric m : c.metrics()) {
                sb.append("  ").append(m.name()).append(' ').append(m.dataset());
                if (m.sigma() != 0f) sb.append(" sigma ").append(m.sigma());
                sb.append(": ").append(String.format(Locale.ROOT, "%.4f", m.value()))
                        .append(m.name().equalsIgnoreCase("PSNR") ? " dB" : "").append('\n');
            }
        }
        if (c.created() != null || !c.hushVersion().isEmpty()) {
            sb.append("Created:");
            if (c.created() != null) sb.append(' ').append(c.created());
            if (!c.hushVersion().isEmpty()) sb.append(" by Hush ").append(c.hushVersion());
            sb.append('\n');
        }
        for (Map.Entry<String, String> e : c.extra().entrySet()) {
            sb.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
    }

    /** Left-aligned text columns, right-aligned last (count) column. */
    private static void table(List<String[]> rows, StringBuilder sb) {
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) for (int j = 0; j < cols; j++) w[j] = Math.max(w[j], r[j].length());
        for (String[] r : rows) {
            for (int j = 0; j < cols; j++) {
                boolean right = j == 0 || j == cols - 1;
                String pad = " ".repeat(w[j] - r[j].length());
                sb.append(right ? pad + r[j] : r[j] + (j == cols - 1 ? "" : pad));
                if (j < cols - 1) sb.append("  ");
            }
            sb.append('\n');
        }
    }

    static String group(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /** 1234567 -> "1.23 M". */
    static String si(double v) {
        String[] units = {"", " k", " M", " G", " T", " P"};
        int u = 0;
        while (Math.abs(v) >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f%s", v, units[u]);
    }
}
