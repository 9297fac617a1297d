package io.hush.keras;

import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.io.ImportOptions;
import io.hush.engine.io.ModelFormatException;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.ActivationLayer;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.AveragePool2D;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Concatenate;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Cropping2D;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Dropout;
import io.hush.engine.layers.Elu;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.GlobalAveragePool2D;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Multiply;
import io.hush.engine.layers.Padding;
import io.hush.engine.layers.Param;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.Scale;
import io.hush.engine.layers.Softmax;
import io.hush.engine.layers.Subtract;
import io.hush.engine.layers.UpSampling2D;
import io.hush.engine.layers.ZeroPadding2D;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds a Hush {@link Model} from a {@link KerasConfig.KModel} and a {@link WeightSource}: layer by layer in an
 * order where every input exists (Keras writes topological order; a cycle or a dangling reference is named), nested
 * models inlined with their layers named {@code outer/inner}, every Keras setting mapped exactly or refused by name.
 *
 * <p><b>Layouts.</b> Hush is NHWC (channels_last), like Keras's default. A {@code channels_first} model is imported
 * as the same computation on NHWC data: the input {@code [C,H,W]} becomes {@code [H,W,C]}, channel axes (1) of
 * BatchNormalization, Concatenate and Softmax map to the last axis, kernels are unchanged (Keras stores them as
 * {@code [kh,kw,in,out]} in both formats), and a channels_last {@code Flatten} of a channels_first image (features in
 * (c,h,w) order) permutes the rows of the Dense that reads it. What cannot be carried over (a Reshape to an image,
 * Dense over the width axis, ...) is refused with the reason.
 */
final class Translator {
    /** Keras layer classes this importer maps (config class names, aliases included). */
    static final Set<String> SUPPORTED = Set.of("InputLayer", "Conv2D", "Convolution2D", "Conv2DTranspose", "MaxPooling2D",
            "MaxPool2D", "AveragePooling2D", "AvgPool2D", "UpSampling2D", "Dense", "Flatten", "Reshape", "BatchNormalization",
            "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "Dropout", "SpatialDropout2D", "GaussianNoise",
            "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity", "Add", "Subtract", "Multiply",
            "Concatenate", "ZeroPadding2D", "Cropping2D", "GlobalAveragePooling2D", "GlobalAvgPool2D", "Rescaling",
            "Sequential", "Functional", "Model");

    /** Elements of one per-sample activation (as the .hush reader's limit): bounds what an imported model asks for. */
    static final long MAX_ELEMENTS = 1L << 28;

    /** Default build size of a model whose input height/width are None. */
    static final int DEFAULT_SPATIAL = 64;

    private final String src;
    private final WeightSource weights;
    private final ImportOptions options;
    private Model.Builder b;
    private final List<Assign> assigns = new ArrayList<>();
    /** Nodes whose features are in Keras (c,h,w) order (a channels_last Flatten of a channels_first image): [H,W,C]. */
    private final Map<Integer, int[]> chwFeatures = new HashMap<>();
    boolean channelsFirst;
    boolean anySize;
    private final Set<String> usedNames = new java.util.HashSet<>();

    /** A parameter value to copy in once the model is built. */
    private record Assign(Layer layer, String param, float[] values) {}

    Translator(String src, WeightSource weights, ImportOptions options) {
        this.src = src;
        this.weights = weights;
        this.options = options;
    }

    /** Builds the model (parameters filled from the weights file). */
    Model build(KerasConfig.KModel top) throws ModelFormatException {
        List<String> unsupported = new ArrayList<>();
        Set<String> formats = new TreeSet<>();
        scan(top, unsupported, formats, "");
        if (!unsupported.isEmpty()) {
            throw new ModelFormatException(src + ": unsupported Keras layer" + (unsupported.size() > 1 ? "s" : "") + ": "
                    + String.join(", ", unsupported) + " (supported: see keras/README.md)");
        }
        if (formats.size() > 1) {
            throw new ModelFormatException(src + ": the model mixes channels_first and channels_last layers; Hush imports one or the other");
        }
        channelsFirst = formats.contains("channels_first");
        if (top.inputs.size() != 1) {
            throw new ModelFormatException(src + ": the model has " + top.inputs.size() + " inputs " + top.inputs
                    + "; Hush models have one input");
        }
        if (top.outputs.size() != 1) {
            throw new ModelFormatException(src + ": the model has " + top.outputs.size() + " outputs " + top.outputs
                    + "; Hush models have one output");
        }
        KerasConfig.KLayer in = top.layer(top.inputs.get(0).layer());
        if (in == null || !in.cls.equals("InputLayer")) {
            throw new ModelFormatException(src + ": the model input '" + top.inputs.get(0).layer() + "' is not an InputLayer of it");
        }
        Shape inShape = inputShape(in);
        if (elements(inShape) > MAX_ELEMENTS) {
            throw new ModelFormatException(src + ": input shape " + inShape + " is larger than the limit of " + MAX_ELEMENTS
                    + " elements per sample");
        }
        b = Model.builder(inShape).seed(0);
        int out = model(top, "", List.of(0), null).get(0);
        if (out != b.current()) { // the output is the input itself or an earlier node: a copy makes it the last node
            b.add(named(new ActivationLayer(Activation.LINEAR), "output"), out);
        }
        Model m;
        try {
            m = b.build();
        } catch (RuntimeException e) {
            throw new ModelFormatException(src + ": building the model failed: " + e.getMessage(), e);
        }
        for (Assign a : assigns) {
            Param p = null;
            for (Param q : a.layer.params()) if (q.name.equals(a.param)) p = q;
            if (p == null || p.value.size() != a.values.length) {
                m.close();
                throw new ModelFormatException(src + ": internal error: " + a.layer + " has no parameter " + a.param + " of "
                        + a.values.length + " values");
            }
            p.value.copyFrom(a.values);
        }
        return m;
    }

    /** Collects unsupported layer classes and the data formats used, through nested models. */
    private void scan(KerasConfig.KModel m, List<String> unsupported, Set<String> formats, String scope) {
        for (KerasConfig.KLayer l : m.layers) {
            if (!SUPPORTED.contains(l.cls)) unsupported.add(l.cls + " '" + scope + l.name + "'");
            if (l.nested != null) scan(l.nested, unsupported, formats, scope + l.name + "/");
            if (l.cfg.get("data_format") instanceof String f && !l.cls.equals("Flatten")) formats.add(f);
        }
    }

    private Shape inputShape(KerasConfig.KLayer in) throws ModelFormatException {
        Object s = in.cfg.get("batch_shape");
        if (s == null || s == Json.NULL) s = in.cfg.get("batch_input_shape");
        if (!(s instanceof List<?> dims) || dims.size() < 2) {
            throw new ModelFormatException(src + ": " + in + " has no batch_shape / batch_input_shape");
        }
        int[] d = new int[dims.size() - 1];
        for (int k = 1; k < dims.size(); k++) {
            Object v = dims.get(k);
            if (v == Json.NULL || v == null) {
                d[k - 1] = -1;
            } else if (v instanceof Double x && x >= 1 && x <= (1 << 20) && x == Math.floor(x)) {
                d[k - 1] = x.intValue();
            } else {
                throw new ModelFormatException(src + ": " + in + ": bad input dimension " + KerasConfig.brief(v) + " in " + dims);
            }
        }
        if (d.length == 3 && channelsFirst) d = new int[] {d[1], d[2], d[0]};
        for (int k = 0; k < d.length; k++) {
            if (d[k] != -1) continue;
            if (d.length != 3 || k == 2) {
                throw new ModelFormatException(src + ": " + in + ": input dimension " + k + " is None; Hush needs it fixed"
                        + " (only the height and width of an image may vary)");
            }
            anySize = true;
            int given = k == 0 ? options.height() : options.width();
            d[k] = given > 0 ? given : DEFAULT_SPATIAL;
        }
        return Shape.of(d);
    }

    // ---------------- graph ----------------

    /**
     * Adds the layers of {@code m} (in scope {@code scope}) reading the Hush nodes {@code inputs}; returns the nodes of
     * its outputs. {@code legacyGroup} is the top-level layer whose HDF5 group holds nested layers' weights (null at
     * the top level).
     */
    private List<Integer> model(KerasConfig.KModel m, String scope, List<Integer> inputs, String legacyGroup) throws ModelFormatException {
        if (inputs.size() != m.inputs.size()) {
            throw new ModelFormatException(src + ": model '" + scope + m.name + "' takes " + m.inputs.size() + " inputs, called with " + inputs.size());
        }
        Map<KerasConfig.Ref, Integer> env = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            KerasConfig.Ref r = m.inputs.get(i);
            KerasConfig.KLayer l = m.layer(r.layer());
            if (l == null || !l.cls.equals("InputLayer")) {
                throw new ModelFormatException(src + ": model '" + scope + m.name + "': input '" + r.layer() + "' is not an InputLayer of it");
            }
            env.put(new KerasConfig.Ref(r.layer(), 0, 0), inputs.get(i));
        }
        List<KerasConfig.KLayer> pending = new ArrayList<>();
        for (KerasConfig.KLayer l : m.layers) {
            if (l.cls.equals("InputLayer")) continue;
            if (l.calls.size() > 1) {
                throw new ModelFormatException(src + ": layer '" + scope + l.name + "' (" + l.cls + ") is applied " + l.calls.size()
                        + " times (shared weights); Hush gives every node its own layer");
            }
            if (!l.calls.isEmpty()) pending.add(l);
        }
        while (!pending.isEmpty()) {
            boolean progress = false;
            for (int i = 0; i < pending.size(); i++) {
                KerasConfig.KLayer l = pending.get(i);
                List<KerasConfig.Ref> refs = l.calls.get(0);
                boolean ready = true;
                for (KerasConfig.Ref r : refs) if (!env.containsKey(r)) ready = false;
                if (!ready) continue;
                int[] in = new int[refs.size()];
                for (int k = 0; k < in.length; k++) in[k] = env.get(refs.get(k));
                if (l.nested != null) {
                    List<Integer> outs = model(l.nested, scope + l.name + "/", List.of(boxed(in)),
                            legacyGroup == null ? l.name : legacyGroup);
                    for (int k = 0; k < outs.size(); k++) env.put(new KerasConfig.Ref(l.name, 0, k), outs.get(k));
                } else {
                    env.put(new KerasConfig.Ref(l.name, 0, 0), layer(l, in, scope, legacyGroup == null ? l.name : legacyGroup));
                }
                pending.remove(i--);
                progress = true;
            }
            if (!progress) {
                KerasConfig.KLayer l = pending.get(0);
                List<String> missing = new ArrayList<>();
                for (KerasConfig.Ref r : l.calls.get(0)) if (!env.containsKey(r)) missing.add(r.toString());
                throw new ModelFormatException(src + ": layer '" + scope + l.name + "' (" + l.cls + ") reads " + missing
                        + ", which no layer of model '" + m.name + "' produces (or a cycle)");
            }
        }
        List<Integer> outs = new ArrayList<>();
        for (KerasConfig.Ref r : m.outputs) {
            Integer n = env.get(r);
            if (n == null) throw new ModelFormatException(src + ": model '" + scope + m.name + "': output " + r + " is not produced by any layer");
            outs.add(n);
        }
        return outs;
    }

    private static Integer[] boxed(int[] a) {
        Integer[] r = new Integer[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }

    // ---------------- layers ----------------

    /** Adds the Hush layer(s) for one Keras layer; returns the node of its output. */
    private int layer(KerasConfig.KLayer l, int[] in, String scope, String legacyGroup) throws ModelFormatException {
        try {
            return layerOrThrow(l, in, scope, legacyGroup);
        } catch (ModelFormatException e) {
            throw e;
        } catch (RuntimeException e) { // a constructor or shape rule refused: name the Keras layer
            throw new ModelFormatException(src + ": layer '" + scope + l.name + "' (" + l.cls + "): " + e.getMessage(), e);
        }
    }

    private int layerOrThrow(KerasConfig.KLayer l, int[] in, String scope, String legacyGroup) throws ModelFormatException {
        Map<String, Object> c = l.cfg;
        String name = scope + l.name;
        String cls = l.cls;
        if (!cls.equals("Dense")) notChw(l, in);
        return switch (cls) {
            case "Conv2D", "Convolution2D" -> conv(l, c, in, name, legacyGroup);
            case "Conv2DTranspose" -> convTranspose(l, c, in, name, legacyGroup);
            case "MaxPooling2D", "MaxPool2D" -> {
                int[] p = pair(l, "pool_size", 2);
                int[] s = c.get("strides") == null || c.get("strides") == Json.NULL ? p : pair(l, "strides", 0);
                yield add(new MaxPool2D(p[0], p[1], s[0], s[1], padding(l)), name, one(l, in));
            }
            case "AveragePooling2D", "AvgPool2D" -> {
                int[] p = pair(l, "pool_size", 2);
                int[] s = c.get("strides") == null || c.get("strides") == Json.NULL ? p : pair(l, "strides", 0);
                yield add(new AveragePool2D(p[0], p[1], s[0], s[1], padding(l)), name, one(l, in));
            }
            case "UpSampling2D" -> {
                int[] s = pair(l, "size", 2);
                String mode = string(l, "interpolation", "nearest");
                UpSampling2D.Interpolation ip = switch (mode) {
                    case "nearest" -> UpSampling2D.Interpolation.NEAREST;
                    case "bilinear" -> UpSampling2D.Interpolation.BILINEAR;
                    default -> throw refuse(l, "interpolation '" + mode + "' is not supported (nearest, bilinear)");
                };
                yield add(new UpSampling2D(s[0], s[1], ip), name, one(l, in));
            }
            case "Dense" -> dense(l, c, in, name, legacyGroup);
            case "Flatten" -> flatten(l, in, name);
            case "Reshape" -> {
                List<Object> t = list(l, "target_shape");
                int[] d = new int[t.size()];
                for (int k = 0; k < d.length; k++) d[k] = intOf(l, "target_shape", t.get(k), -1);
                Shape s = b.shape(one(l, in)[0]);
                boolean image = s.rank() == 3 && s.dim(0) * s.dim(1) > 1 && s.dim(2) > 1;
                if (channelsFirst && (d.length == 3 || (image && d.length != 1))) {
                    throw refuse(l, "a Reshape to " + java.util.Arrays.toString(d) + " in a channels_first model reorders a"
                            + " [C,H,W] image, which Hush (NHWC) cannot lay out without a transpose");
                }
                int node = add(new Reshape(d), name, in);
                if (channelsFirst && image) chwFeatures.put(node, new int[] {s.dim(0), s.dim(1), s.dim(2)}); // (c,h,w) order
                yield node;
            }
            case "BatchNormalization" -> batchNorm(l, c, in, name, legacyGroup);
            case "Activation" -> activationLayer(l, act(l, c.get("activation")), in, name);
            case "ReLU" -> activationLayer(l, new Act(relu(l, c), null, 0f), in, name);
            case "LeakyReLU" -> {
                float a = (float) num(l, c.containsKey("negative_slope") ? "negative_slope" : "alpha", 0.3);
                yield add(new ActivationLayer(Activation.leakyRelu(a)), name, one(l, in));
            }
            case "ELU" -> add(new Elu((float) num(l, "alpha", 1.0)), name, one(l, in));
            case "Softmax" -> {
                checkChannelAxis(l, c.get("axis"), in[0]);
                yield add(new Softmax(), name, one(l, in));
            }
            case "Dropout", "SpatialDropout2D" -> add(new Dropout((float) num(l, "rate", 0.5)), name, one(l, in));
            case "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity" -> one(l, in)[0];
            case "Add" -> chain(l, in, name, Add::new);
            case "Multiply" -> chain(l, in, name, Multiply::new);
            case "Subtract" -> {
                if (in.length != 2) throw refuse(l, "Subtract takes exactly 2 inputs, got " + in.length);
                yield add(new Subtract(), name, in);
            }
            case "Concatenate" -> {
                if (in.length < 2) throw refuse(l, "needs at least 2 inputs, got " + in.length);
                checkChannelAxis(l, c.get("axis"), in[0]);
                yield add(new Concatenate(in.length), name, in);
            }
            case "ZeroPadding2D" -> {
                int[] p = tblr(l, "padding", 1);
                yield add(new ZeroPadding2D(p[0], p[1], p[2], p[3]), name, one(l, in));
            }
            case "Cropping2D" -> {
                int[] p = tblr(l, "cropping", 0);
                yield add(new Cropping2D(p[0], p[1], p[2], p[3]), name, one(l, in));
            }
            case "GlobalAveragePooling2D", "GlobalAvgPool2D" ->
                    add(new GlobalAveragePool2D(bool(l, "keepdims", false)), name, one(l, in));
            case "Rescaling" -> add(new Scale((float) num(l, "scale", 1.0), (float) num(l, "offset", 0.0)), name, one(l, in));
            default -> throw refuse(l, "unsupported layer");
        };
    }

    private int conv(KerasConfig.KLayer l, Map<String, Object> c, int[] in, String name, String group) throws ModelFormatException {
        int[] x = one(l, in);
        int filters = intOf(l, "filters", c.get("filters"), 0);
        int[] k = pair(l, "kernel_size", 0), s = pair(l, "strides", 1), d = pair(l, "dilation_rate", 1);
        int groups = c.get("groups") == null ? 1 : intOf(l, "groups", c.get("groups"), 0);
        if (groups != 1) throw refuse(l, "grouped convolution (groups=" + groups + ") is not supported");
        boolean bias = bool(l, "use_bias", true);
        Act a = act(l, c.get("activation"));
        Shape is = image(l, x[0]);
        Conv2D conv = new Conv2D(filters, k[0], k[1], s[0], s[1], padding(l), d[0], d[1], bias, a.fused);
        List<float[]> w = read(l, group, bias ? new String[] {"kernel", "bias"} : new String[] {"kernel"},
                new int[][] {{k[0], k[1], is.dim(2), filters}, {filters}});
        int node = add(conv, name, x);
        assigns.add(new Assign(conv, "kernel", w.get(0)));
        if (bias) assigns.add(new Assign(conv, "bias", w.get(1)));
        return a.after(this, l, name, node);
    }

    private int convTranspose(KerasConfig.KLayer l, Map<String, Object> c, int[] in, String name, String group) throws ModelFormatException {
        int[] x = one(l, in);
        int filters = intOf(l, "filters", c.get("filters"), 0);
        int[] k = pair(l, "kernel_size", 0), s = pair(l, "strides", 1), d = pair(l, "dilation_rate", 1);
        int[] op = c.get("output_padding") == null || c.get("output_padding") == Json.NULL ? new int[] {-1, -1} : pair(l, "output_padding", 0);
        if (c.get("groups") != null && intOf(l, "groups", c.get("groups"), 0) != 1) throw refuse(l, "grouped convolution is not supported");
        boolean bias = bool(l, "use_bias", true);
        Act a = act(l, c.get("activation"));
        int cin = image(l, x[0]).dim(2);
        Conv2DTranspose t = new Conv2DTranspose(filters, k[0], k[1], s[0], s[1], padding(l), op[0], op[1], d[0], d[1], bias, a.fused);
        // Keras stores [kh, kw, out, in]; Hush wants [kh, kw, in, out]
        List<float[]> w = read(l, group, bias ? new String[] {"kernel", "bias"} : new String[] {"kernel"},
                new int[][] {{k[0], k[1], filters, cin}, {filters}});
        float[] kk = w.get(0), hk = new float[kk.length];
        for (int p = 0; p < k[0] * k[1]; p++) {
            for (int o = 0; o < filters; o++) {
                for (int i = 0; i < cin; i++) hk[(p * cin + i) * filters + o] = kk[(p * filters + o) * cin + i];
            }
        }
        int node = add(t, name, x);
        assigns.add(new Assign(t, "kernel", hk));
        if (bias) assigns.add(new Assign(t, "bias", w.get(1)));
        return a.after(this, l, name, node);
    }

    private int dense(KerasConfig.KLayer l, Map<String, Object> c, int[] in, String name, String group) throws ModelFormatException {
        int[] x = one(l, in);
        int units = intOf(l, "units", c.get("units"), 0);
        boolean bias = bool(l, "use_bias", true);
        Act a = act(l, c.get("activation"));
        Shape s = b.shape(x[0]);
        int fin = s.dim(-1);
        String[] roles = bias ? new String[] {"kernel", "bias"} : new String[] {"kernel"};
        List<float[]> w = read(l, group, roles, new int[][] {{fin, units}, {units}});
        Layer layer;
        if (s.rank() == 1) {
            layer = new Dense(units, a.fused, bias);
            int[] chw = chwFeatures.get(x[0]);
            if (chw != null) w.set(0, permuteRows(w.get(0), chw, units));
        } else if (s.rank() == 3 && !channelsFirst) { // Keras Dense acts on the last axis: a 1x1 convolution
            layer = new Conv2D(units, 1, 1, 1, 1, Padding.VALID, 1, 1, bias, a.fused);
        } else {
            throw refuse(l, "Dense on a rank-" + s.rank() + " input " + s + (channelsFirst ? " of a channels_first model (it would act on the width)" : "")
                    + " is not supported");
        }
        int node = add(layer, name, x);
        assigns.add(new Assign(layer, "kernel", w.get(0)));
        if (bias) assigns.add(new Assign(layer, "bias", w.get(1)));
        return a.after(this, l, name, node);
    }

    /** Keras rows in (c,h,w) feature order to Hush's (h,w,c). */
    private static float[] permuteRows(float[] k, int[] hwc, int units) {
        int h = hwc[0], w = hwc[1], ch = hwc[2];
        float[] r = new float[k.length];
        for (int c = 0; c < ch; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int keras = (c * h + y) * w + x, hush = (y * w + x) * ch + c;
                    System.arraycopy(k, keras * units, r, hush * units, units);
                }
            }
        }
        return r;
    }

    private int flatten(KerasConfig.KLayer l, int[] in, String name) throws ModelFormatException {
        int[] x = one(l, in);
        Shape s = b.shape(x[0]);
        int node = add(new Flatten(), name, x);
        String df = string(l, "data_format", "channels_last");
        if (channelsFirst && s.rank() == 3 && df.equals("channels_last") && s.dim(0) * s.dim(1) > 1 && s.dim(2) > 1) {
            chwFeatures.put(node, new int[] {s.dim(0), s.dim(1), s.dim(2)}); // Keras flattens this image in (c,h,w) order
        }
        return node;
    }

    private int batchNorm(KerasConfig.KLayer l, Map<String, Object> c, int[] in, String name, String group) throws ModelFormatException {
        int[] x = one(l, in);
        checkChannelAxis(l, c.get("axis"), x[0]);
        boolean center = bool(l, "center", true), scale = bool(l, "scale", true);
        BatchNorm2D bn = new BatchNorm2D((float) num(l, "momentum", 0.99), (float) num(l, "epsilon", 1e-3));
        int ch = b.shape(x[0]).dim(-1);
        List<String> roles = new ArrayList<>();
        if (scale) roles.add("gamma");
        if (center) roles.add("beta");
        roles.add("moving_mean");
        roles.add("moving_variance");
        int[][] shapes = new int[roles.size()][];
        for (int i = 0; i < shapes.length; i++) shapes[i] = new int[] {ch};
        List<float[]> w = read(l, group, roles.toArray(new String[0]), shapes);
        int node = add(bn, name, x);
        int i = 0;
        float[] ones = new float[ch];
        java.util.Arrays.fill(ones, 1f);
        assigns.add(new Assign(bn, "gamma", scale ? w.get(i++) : ones));
        assigns.add(new Assign(bn, "beta", center ? w.get(i++) : new float[ch]));
        assigns.add(new Assign(bn, "moving_mean", w.get(i++)));
        assigns.add(new Assign(bn, "moving_variance", w.get(i)));
        return node;
    }

    private int activationLayer(KerasConfig.KLayer l, Act a, int[] in, String name) throws ModelFormatException {
        int[] x = one(l, in);
        if (a.extra == null) return add(new ActivationLayer(a.fused), name, x);
        return a.after(this, l, name, x[0], name);
    }

    private interface Binary {
        Layer make();
    }

    /** Keras Add/Multiply over n inputs: ((a + b) + c) + ..., the order Keras sums in. */
    private int chain(KerasConfig.KLayer l, int[] in, String name, Binary op) throws ModelFormatException {
        if (in.length < 2) throw refuse(l, "needs at least 2 inputs, got " + in.length);
        int acc = add(op.make(), in.length == 2 ? name : name + "/1", in[0], in[1]);
        for (int k = 2; k < in.length; k++) acc = add(op.make(), k == in.length - 1 ? name : name + "/" + k, acc, in[k]);
        return acc;
    }

    // ---------------- activations ----------------

    /** An activation: fused into the layer ({@code fused}), plus an ELU or softmax layer after it when needed. */
    record Act(Activation fused, String extra, float alpha) {
        int after(Translator t, KerasConfig.KLayer l, String name, int node) throws ModelFormatException {
            return after(t, l, name, node, name + "/" + extra);
        }

        int after(Translator t, KerasConfig.KLayer l, String base, int node, String name) throws ModelFormatException {
            if (extra == null) return node;
            if (extra.equals("elu")) return t.add(new Elu(alpha), name, node);
            if (t.channelsFirst && t.b.shape(node).rank() == 3) {
                throw t.refuse(l, "a softmax activation acts on the last axis, which is the width of a channels_first image;"
                        + " use a Softmax layer with axis=1");
            }
            return t.add(new Softmax(), name, node);
        }
    }

    private static final Act LINEAR = new Act(Activation.LINEAR, null, 0f);

    private Act act(KerasConfig.KLayer l, Object spec) throws ModelFormatException {
        if (spec == null || spec == Json.NULL) return LINEAR;
        if (spec instanceof String s) {
            return switch (s) {
                case "linear", "None" -> LINEAR;
                case "relu" -> new Act(Activation.RELU, null, 0f);
                case "sigmoid" -> new Act(Activation.SIGMOID, null, 0f);
                case "tanh" -> new Act(Activation.TANH, null, 0f);
                case "leaky_relu" -> new Act(Activation.leakyRelu(0.2f), null, 0f); // Keras 3's default negative_slope
                case "elu" -> new Act(Activation.LINEAR, "elu", 1f);
                case "softmax" -> new Act(Activation.LINEAR, "softmax", 0f);
                default -> throw refuse(l, "activation '" + s + "' is not supported (linear, relu, leaky_relu, sigmoid, tanh, elu, softmax)");
            };
        }
        if (spec instanceof Map<?, ?> m) { // a serialized function or activation layer
            Object cls = m.get("class_name");
            Map<String, Object> cfg = m.get("config") instanceof Map<?, ?> cm ? KerasConfig.cast(cm) : Map.of();
            if ("function".equals(cls) || "builtins.function".equals(cls)) return act(l, m.get("config"));
            if ("LeakyReLU".equals(cls)) {
                Object a = cfg.containsKey("negative_slope") ? cfg.get("negative_slope") : cfg.get("alpha");
                return new Act(Activation.leakyRelu(a instanceof Double d ? d.floatValue() : 0.3f), null, 0f);
            }
            if ("ReLU".equals(cls)) {
                KerasConfig.KLayer inner = new KerasConfig.KLayer();
                inner.cls = "ReLU";
                inner.name = l.name + "/activation";
                inner.cfg = cfg;
                return new Act(relu(inner, cfg), null, 0f);
            }
            if ("ELU".equals(cls)) return new Act(Activation.LINEAR, "elu", cfg.get("alpha") instanceof Double d ? d.floatValue() : 1f);
            if ("Softmax".equals(cls)) return new Act(Activation.LINEAR, "softmax", 0f);
            if ("Activation".equals(cls)) return act(l, cfg.get("activation"));
            throw refuse(l, "activation " + KerasConfig.brief(cls) + " is not supported");
        }
        throw refuse(l, "unreadable activation " + KerasConfig.brief(spec));
    }

    private Activation relu(KerasConfig.KLayer l, Map<String, Object> c) throws ModelFormatException {
        Object max = c.get("max_value");
        if (max != null && max != Json.NULL) {
            throw refuse(l, "ReLU with max_value=" + max + " (e.g. ReLU6) is not supported: Hush has no clipped ReLU");
        }
        double threshold = c.get("threshold") instanceof Double d ? d : 0.0;
        if (threshold != 0.0) throw refuse(l, "ReLU with threshold=" + threshold + " is not supported");
        double slope = c.get("negative_slope") instanceof Double d ? d : 0.0;
        return slope == 0.0 ? Activation.RELU : Activation.leakyRelu((float) slope);
    }

    // ---------------- helpers ----------------

    int add(Layer layer, String name, int... inputs) throws ModelFormatException {
        for (int i : inputs) {
            if (chwFeatures.containsKey(i) && !(layer instanceof Dense)) {
                throw new ModelFormatException(src + ": layer '" + name + "': its input is a channels_last Flatten of a channels_first"
                        + " image (features in (c,h,w) order); Hush can reorder them only for a Dense that reads it directly");
            }
        }
        b.add(named(layer, name), inputs);
        Shape s = b.shape(b.current());
        if (elements(s) > MAX_ELEMENTS) {
            throw new ModelFormatException(src + ": layer '" + name + "': output shape " + s + " is larger than the limit of "
                    + MAX_ELEMENTS + " elements per sample");
        }
        return b.current();
    }

    /** Element count, saturating above {@link #MAX_ELEMENTS} (no overflow whatever the dimensions). */
    static long elements(Shape s) {
        long n = 1;
        for (int d : s.dims()) {
            n *= d; // n <= 2^28 and d < 2^31 before this: no overflow
            if (n > MAX_ELEMENTS) return n;
        }
        return n;
    }

    private Layer named(Layer l, String name) {
        String n = name;
        for (int k = 2; !usedNames.add(n); k++) n = name + "_" + k;
        return l.name(n);
    }

    private void notChw(KerasConfig.KLayer l, int[] in) throws ModelFormatException {
        for (int i : in) {
            if (chwFeatures.containsKey(i)) {
                throw refuse(l, "its input is a channels_last Flatten of a channels_first image (features in (c,h,w) order);"
                        + " Hush can reorder them only for a Dense that reads it directly");
            }
        }
    }

    private List<float[]> read(KerasConfig.KLayer l, String group, String[] roles, int[][] shapes) throws ModelFormatException {
        return weights.read(l, group, roles, java.util.Arrays.copyOf(shapes, roles.length));
    }

    private Shape image(KerasConfig.KLayer l, int node) throws ModelFormatException {
        Shape s = b.shape(node);
        if (s.rank() != 3) throw refuse(l, "expects an image input [H,W,C], got " + s);
        return s;
    }

    private int[] one(KerasConfig.KLayer l, int[] in) throws ModelFormatException {
        if (in.length != 1) throw refuse(l, "expects 1 input, got " + in.length);
        return in;
    }

    /** The axis must be the channel axis: -1 (or rank-1) for channels_last, 1 for channels_first images. */
    private void checkChannelAxis(KerasConfig.KLayer l, Object axis, int node) throws ModelFormatException {
        Object a = axis;
        if (a instanceof List<?> list && list.size() == 1) a = list.get(0);
        if (a == null || a == Json.NULL) a = -1.0;
        if (!(a instanceof Double d)) throw refuse(l, "axis " + KerasConfig.brief(axis) + " is not supported (channel axis only)");
        int rank = b.shape(node).rank() + 1; // with the batch axis
        int ax = d.intValue() < 0 ? d.intValue() + rank : d.intValue();
        int channel = channelsFirst && rank == 4 ? 1 : rank - 1;
        if (ax != channel) {
            throw refuse(l, "axis " + d.intValue() + " is not the channel axis of its rank-" + rank + " input"
                    + (channelsFirst ? " (channels_first: 1)" : " (-1)") + "; only the channel axis is supported");
        }
    }

    private Padding padding(KerasConfig.KLayer l) throws ModelFormatException {
        String p = string(l, "padding", "valid").toLowerCase(java.util.Locale.ROOT);
        return switch (p) {
            case "same" -> Padding.SAME;
            case "valid" -> Padding.VALID;
            default -> throw refuse(l, "padding '" + p + "' is not supported (same, valid)");
        };
    }

    private ModelFormatException refuse(KerasConfig.KLayer l, String what) {
        return new ModelFormatException(src + ": layer '" + l.name + "' (" + l.cls + "): " + what);
    }

    private String string(KerasConfig.KLayer l, String key, String dflt) throws ModelFormatException {
        Object v = l.cfg.get(key);
        if (v == null || v == Json.NULL) return dflt;
        if (v instanceof String s) return s;
        throw refuse(l, "'" + key + "' is " + KerasConfig.brief(v) + ", expected a string");
    }

    private boolean bool(KerasConfig.KLayer l, String key, boolean dflt) throws ModelFormatException {
        Object v = l.cfg.get(key);
        if (v == null || v == Json.NULL) return dflt;
        if (v instanceof Boolean x) return x;
        throw refuse(l, "'" + key + "' is " + KerasConfig.brief(v) + ", expected true or false");
    }

    private double num(KerasConfig.KLayer l, String key, double dflt) throws ModelFormatException {
        Object v = l.cfg.get(key);
        if (v == null || v == Json.NULL) return dflt;
        if (v instanceof Double d && Double.isFinite(d)) return d;
        throw refuse(l, "'" + key + "' is " + KerasConfig.brief(v) + ", expected a finite number");
    }

    private List<Object> list(KerasConfig.KLayer l, String key) throws ModelFormatException {
        if (l.cfg.get(key) instanceof List<?> v) return KerasConfig.cast(v);
        throw refuse(l, "'" + key + "' is " + KerasConfig.brief(l.cfg.get(key)) + ", expected a list");
    }

    /** An integer setting in 1..2^20 (or -1 where {@code allowMinusOne} is -1: Reshape's inferred dimension). */
    private int intOf(KerasConfig.KLayer l, String key, Object v, int allowMinusOne) throws ModelFormatException {
        if (v instanceof Double d && d == Math.floor(d) && ((d >= 0 && d <= (1 << 20)) || (allowMinusOne == -1 && d == -1))) {
            return d.intValue();
        }
        throw refuse(l, "'" + key + "' is " + KerasConfig.brief(v) + ", expected an integer");
    }

    /** An int or an [h, w] pair (Keras accepts both for kernel_size, strides, pool_size, ...). */
    private int[] pair(KerasConfig.KLayer l, String key, int dflt) throws ModelFormatException {
        Object v = l.cfg.get(key);
        if ((v == null || v == Json.NULL) && dflt > 0) return new int[] {dflt, dflt};
        if (v instanceof Double) {
            int x = intOf(l, key, v, 0);
            return new int[] {x, x};
        }
        if (v instanceof List<?> list && list.size() == 2) {
            return new int[] {intOf(l, key, list.get(0), 0), intOf(l, key, list.get(1), 0)};
        }
        throw refuse(l, "'" + key + "' is " + KerasConfig.brief(v) + ", expected an integer or a pair");
    }

    /** ZeroPadding2D/Cropping2D amounts: n, [h, w] or [[top, bottom], [left, right]] -> {top, bottom, left, right}. */
    private int[] tblr(KerasConfig.KLayer l, String key, int dflt) throws ModelFormatException {
        Object v = l.cfg.get(key);
        if (v == null || v == Json.NULL) return new int[] {dflt, dflt, dflt, dflt};
        if (v instanceof Double) {
            int x = intOf(l, key, v, 0);
            return new int[] {x, x, x, x};
        }
        if (v instanceof List<?> list && list.size() == 2) {
            if (list.get(0) instanceof List<?> a && list.get(1) instanceof List<?> c && a.size() == 2 && c.size() == 2) {
                return new int[] {intOf(l, key, a.get(0), 0), intOf(l, key, a.get(1), 0), intOf(l, key, c.get(0), 0),
                        intOf(l, key, c.get(1), 0)};
            }
            int h = intOf(l, key, list.get(0), 0), w = intOf(l, key, list.get(1), 0);
            return new int[] {h, h, w, w};
        }
        throw refuse(l, "'" + key + "' is " + KerasConfig.brief(v) + ", expected n, [h, w] or [[top, bottom], [left, right]]");
    }

    /** Layer names used, for tests. */
    Set<String> names() { return new LinkedHashSet<>(usedNames); }
}
