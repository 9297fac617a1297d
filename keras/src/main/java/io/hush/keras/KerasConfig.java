package io.hush.keras;

import io.hush.engine.io.ModelFormatException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Keras model config (the JSON of {@code config.json} or of the {@code model_config} HDF5 attribute) as a small
 * tree: a {@link KModel} holds its layers in config order, each {@link KLayer} the tensors it is called on, and a
 * nested Sequential/Functional model is a layer holding its own KModel. Every on-disk variant Keras has written is
 * brought to this one form:
 * <ul>
 *   <li>Sequential: Keras 2.2.0's bare list of layers, and {@code config.layers} later; with or without an
 *       InputLayer (else the first layer's {@code batch_input_shape} / {@code batch_shape} makes one);</li>
 *   <li>Functional ({@code "Functional"}, or {@code "Model"} before TF 2.4): Keras 2's inbound nodes
 *       {@code [[["name", node, tensor, {kwargs}], ...]]} and Keras 3's {@code [{"args": [...], "kwargs": {...}}]}
 *       with {@code __keras_tensor__} entries; input/output lists as {@code [["name", 0, 0]]} or a single
 *       {@code ["name", 0, 0]}.</li>
 * </ul>
 * It also computes each layer's path in a Keras 3 {@code model.weights.h5}: {@code layers/<snake_case class
 * name>[_k]}, numbered per class in layer order within each model (a Sequential's implicit InputLayer is not one of
 * its layers), nested models adding {@code /layers/...}.
 */
final class KerasConfig {
    static final int MAX_LAYERS = 10_000;
    static final int MAX_NESTING = 32;

    /** Output {@code tensor} of call {@code node} of layer {@code layer}. */
    record Ref(String layer, int node, int tensor) {
        @Override public String toString() { return layer + (node != 0 || tensor != 0 ? "[" + node + "][" + tensor + "]" : ""); }
    }

    /** One layer of a model config. */
    static final class KLayer {
        String cls;
        String name;
        Map<String, Object> cfg;
        /** The tensors of each call of the layer (one list per call; most layers are called once). */
        final List<List<Ref>> calls = new ArrayList<>();
        /** For a nested Sequential/Functional model: its tree. */
        KModel nested;
        /** Path of this layer's group in a Keras 3 weights file, e.g. "layers/conv2d_1". */
        String v3Path;

        @Override public String toString() { return "layer '" + name + "' (" + cls + ")"; }
    }

    /** A Sequential or Functional model. */
    static final class KModel {
        String cls;
        String name;
        final List<KLayer> layers = new ArrayList<>();
        final List<Ref> inputs = new ArrayList<>();
        final List<Ref> outputs = new ArrayList<>();
        boolean sequential;

        KLayer layer(String n) {
            for (KLayer l : layers) if (l.name.equals(n)) return l;
            return null;
        }
    }

    private final String src;
    private final boolean tfKerasNames;
    private int layerCount;

    private KerasConfig(String src, boolean tfKerasNames) {
        this.src = src;
        this.tfKerasNames = tfKerasNames;
    }

    /**
     * Parses the top-level object {@code {"class_name": ..., "config": ...}}. {@code tfKerasNames}: the weights were
     * written by tf.keras 2.x (its snake_case rule differs slightly from Keras 3's).
     */
    static KModel parse(Object top, String src, boolean tfKerasNames) throws ModelFormatException {
        KerasConfig p = new KerasConfig(src, tfKerasNames);
        Map<String, Object> m = p.map(top, "the model config");
        String cls = p.str(m, "class_name", "the model config");
        KModel model = p.model(cls, m.get("config"), "", 0);
        if (model == null) {
            throw new ModelFormatException(src + ": the top-level object is a '" + cls + "', not a Sequential or Functional model"
                    + (cls.equals("Model") || cls.isEmpty() ? "" : " (subclassed models keep their architecture in Python code,"
                    + " which a file does not hold)"));
        }
        return model;
    }

    static boolean isModelClass(String cls) {
        return cls.equals("Sequential") || cls.equals("Functional") || cls.equals("Model");
    }

    /** A Sequential/Functional model from its class name and {@code config}; null if {@code cls} is not one. */
    private KModel model(String cls, Object config, String v3Path, int depth) throws ModelFormatException {
        if (!isModelClass(cls)) return null;
        if (depth > MAX_NESTING) throw new ModelFormatException(src + ": models nested deeper than " + MAX_NESTING);
        KModel m = new KModel();
        m.cls = cls;
        List<Object> layerList;
        Map<String, Object> cfg = null;
        if (config instanceof List<?> l) { // Keras 2.2.0 Sequential: the config is the list of layers
            if (!cls.equals("Sequential")) throw new ModelFormatException(src + ": a " + cls + " config is a list, expected an object");
            layerList = cast(l);
            m.name = "sequential";
        } else {
            cfg = map(config, cls + " config");
            m.name = cfg.get("name") instanceof String s ? s : cls.toLowerCase();
            layerList = list(cfg.get("layers"), "layers of model '" + m.name + "'");
        }
        m.sequential = cls.equals("Sequential");
        int v3Index = 0;
        Map<String, Integer> used = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (Object o : layerList) {
            if (++layerCount > MAX_LAYERS) throw new ModelFormatException(src + ": more than " + MAX_LAYERS + " layers");
            Map<String, Object> lm = map(o, "a layer of model '" + m.name + "'");
            KLayer k = new KLayer();
            k.cls = str(lm, "class_name", "a layer of model '" + m.name + "'");
            Object lc = lm.get("config");
            k.cfg = lc instanceof Map<?, ?> ? cast(lc) : new HashMap<>();
            k.name = lm.get("name") instanceof String s ? s : k.cfg.get("name") instanceof String s2 ? s2 : k.cls.toLowerCase() + "_" + v3Index;
            if (!names.add(k.name)) throw new ModelFormatException(src + ": model '" + m.name + "' has two layers named '" + k.name + "'");
            boolean implicitInput = m.sequential && k.cls.equals("InputLayer");
            if (!implicitInput) {
                String key = snake(k.cls);
                int n = used.merge(key, 1, Integer::sum) - 1;
                k.v3Path = join(v3Path, "layers/" + (n == 0 ? key : key + "_" + n));
            }
            v3Index++;
            if (isModelClass(k.cls)) k.nested = model(k.cls, lc, k.v3Path, depth + 1);
            if (!m.sequential) calls(k, lm.get("inbound_nodes"));
            m.layers.add(k);
        }
        if (m.layers.isEmpty()) throw new ModelFormatException(src + ": model '" + m.name + "' has no layers");
        if (m.sequential) chain(m, cfg);
        else {
            refs(cfg.get("input_layers"), m.inputs, "input_layers of model '" + m.name + "'");
            refs(cfg.get("output_layers"), m.outputs, "output_layers of model '" + m.name + "'");
        }
        return m;
    }

    /** Sequential: makes the implicit input layer if there is none and links each layer to the one before. */
    private void chain(KModel m, Map<String, Object> cfg) throws ModelFormatException {
        KLayer first = m.layers.get(0);
        if (!first.cls.equals("InputLayer")) {
            Object shape = first.cfg.get("batch_input_shape");
            if (shape == null) shape = first.cfg.get("batch_shape");
            if (shape == null && cfg != null) shape = cfg.get("build_input_shape");
            if (shape == null && first.nested != null && !first.nested.layers.isEmpty()) {
                KLayer in = first.nested.layers.get(0);
                shape = in.cfg.get("batch_shape") != null ? in.cfg.get("batch_shape") : in.cfg.get("batch_input_shape");
            }
            if (shape == null) {
                throw new ModelFormatException(src + ": Sequential model '" + m.name + "' has no input shape (no InputLayer and"
                        + " no batch_input_shape on its first layer: it was never built)");
            }
            KLayer in = new KLayer();
            in.cls = "InputLayer";
            in.name = m.name + "_input";
            in.cfg = new HashMap<>(Map.of("batch_shape", shape));
            m.layers.add(0, in);
        }
        String prev = m.layers.get(0).name;
        m.inputs.add(new Ref(prev, 0, 0));
        for (int i = 1; i < m.layers.size(); i++) {
            KLayer l = m.layers.get(i);
            if (l.cls.equals("InputLayer")) throw new ModelFormatException(src + ": Sequential model '" + m.name + "' has a second InputLayer '" + l.name + "'");
            l.calls.add(List.of(new Ref(prev, 0, 0)));
            prev = l.name;
        }
        m.outputs.add(new Ref(prev, 0, 0));
    }

    /** Reads a Functional layer's inbound nodes (both formats). */
    private void calls(KLayer k, Object inbound) throws ModelFormatException {
        if (inbound == null || inbound == Json.NULL) return;
        for (Object node : list(inbound, "inbound_nodes of " + k)) {
            List<Ref> refs = new ArrayList<>();
            if (node instanceof Map<?, ?> call) { // Keras 3: {"args": [...], "kwargs": {...}}
                tensors(call.get("args"), refs, k, 0);
                List<Ref> kw = new ArrayList<>();
                tensors(call.get("kwargs"), kw, k, 0);
                if (!kw.isEmpty()) throw new ModelFormatException(src + ": " + k + " is given a tensor as a keyword argument (" + kw.get(0) + "); not supported");
            } else { // Keras 2: [["name", node, tensor, {kwargs}], ...]
                for (Object e : list(node, "an inbound node of " + k)) refs.add(ref(e, "an inbound node of " + k));
            }
            k.calls.add(refs);
        }
    }

    private void tensors(Object o, List<Ref> out, KLayer k, int depth) throws ModelFormatException {
        if (depth > Json.MAX_DEPTH) throw new ModelFormatException(src + ": arguments of " + k + " nest too deep");
        if (o instanceof Map<?, ?> m) {
            if ("__keras_tensor__".equals(m.get("class_name"))) {
                Map<String, Object> c = map(m.get("config"), "a tensor argument of " + k);
                out.add(ref(c.get("keras_history"), "the keras_history of a tensor argument of " + k));
            } else {
                for (Object v : m.values()) tensors(v, out, k, depth + 1);
            }
        } else if (o instanceof List<?> l) {
            for (Object v : l) tensors(v, out, k, depth + 1);
        }
    }

    private void refs(Object o, List<Ref> out, String what) throws ModelFormatException {
        List<Object> l = list(o, what);
        if (!l.isEmpty() && l.get(0) instanceof String) { // one ["name", 0, 0]
            out.add(ref(l, what));
            return;
        }
        for (Object e : l) out.add(ref(e, what));
    }

    private Ref ref(Object o, String what) throws ModelFormatException {
        List<Object> l = list(o, what);
        if (l.size() < 3 || !(l.get(0) instanceof String n) || !(l.get(1) instanceof Double a) || !(l.get(2) instanceof Double b)) {
            throw new ModelFormatException(src + ": " + what + ": expected [\"layer\", node, tensor], got " + brief(o));
        }
        if (a < 0 || b < 0 || a > 1e6 || b > 1e6 || a != Math.floor(a) || b != Math.floor(b)) {
            throw new ModelFormatException(src + ": " + what + ": bad node/tensor index in " + brief(o));
        }
        return new Ref(n, a.intValue(), b.intValue());
    }

    // ---------------- Keras's snake_case of class names ----------------

    /** Keras 3's {@code naming.to_snake_case} (or tf.keras 2's, which also keeps digits with the word before). */
    String snake(String cls) {
        if (tfKerasNames) {
            String s = cls.replaceAll("(.)([A-Z][a-z0-9]+)", "$1_$2").replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
            return s.startsWith("_") ? "private" + s : s;
        }
        String s = cls.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
    }

    static String join(String a, String b) {
        return a.isEmpty() ? b : a + "/" + b;
    }

    // ---------------- typed access ----------------

    Map<String, Object> map(Object o, String what) throws ModelFormatException {
        if (o instanceof Map<?, ?> m) return cast(m);
        throw new ModelFormatException(src + ": " + what + ": expected an object, got " + brief(o));
    }

    List<Object> list(Object o, String what) throws ModelFormatException {
        if (o instanceof List<?> l) return cast(l);
        throw new ModelFormatException(src + ": " + what + ": expected a list, got " + brief(o));
    }

    String str(Map<String, Object> m, String key, String what) throws ModelFormatException {
        if (m.get(key) instanceof String s) return s;
        throw new ModelFormatException(src + ": " + what + ": '" + key + "' is missing or not a string");
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object o) {
        return (T) o;
    }

    /** A value for messages, cut short. */
    static String brief(Object o) {
        String s = o == null ? "nothing" : String.valueOf(o);
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
