package io.hush.keras;

import io.hush.engine.io.ModelFormatException;
import io.jhdf.api.Node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a layer's stored variables are. Both forms list them in the layer's Keras order (Conv2D/Dense: kernel, then
 * bias; BatchNormalization: gamma, beta, moving_mean, moving_variance, each only when present).
 * <ul>
 *   <li>{@link V3}: a Keras 3 / tf.keras 2.13+ {@code model.weights.h5}: datasets {@code <layer path>/vars/0},
 *       {@code /vars/1}, ... with the path from {@link KerasConfig.KLayer#v3Path} (class names, not layer names;
 *       tf.keras 2.13 wrote {@code _layer_checkpoint_dependencies} where later versions write {@code layers}).</li>
 *   <li>{@link Legacy}: a Keras 2 / legacy HDF5 full model: group {@code model_weights/<layer name>} whose attribute
 *       {@code weight_names} lists dataset paths such as {@code conv2d/kernel:0} (Keras 2) or {@code conv2d/kernel}
 *       (Keras 3's legacy writer). Variables are matched by their last name part, else by position. A nested model's
 *       variables are all in the nested model's group and are told apart by their owner (the part before the
 *       variable name).</li>
 * </ul>
 */
abstract class WeightSource {
    final H5 h5;

    WeightSource(H5 h5) {
        this.h5 = h5;
    }

    /**
     * The values of a layer's variables with these Keras names ({@code roles}) and shapes, in Keras order;
     * {@code legacyGroup} is the layer's group for the legacy form ({@code model_weights/<top-level layer name>}) and
     * {@code owner} the layer's own name.
     */
    abstract List<float[]> read(KerasConfig.KLayer layer, String legacyGroup, String[] roles, int[][] shapes)
            throws ModelFormatException;

    static String what(KerasConfig.KLayer l, String role) {
        return "layer '" + l.name + "' (" + l.cls + ") " + role;
    }

    /** Keras 3 {@code .keras} weights. */
    static final class V3 extends WeightSource {
        V3(H5 h5) {
            super(h5);
        }

        @Override
        List<float[]> read(KerasConfig.KLayer l, String legacyGroup, String[] roles, int[][] shapes) throws ModelFormatException {
            String vars = l.v3Path + "/vars";
            Node g = h5.node(vars);
            if (g == null && h5.node("_layer_checkpoint_dependencies") != null) { // tf.keras 2.13 named the container so
                vars = vars.replace("layers/", "_layer_checkpoint_dependencies/");
                g = h5.node(vars);
            }
            if (g == null) {
                throw new ModelFormatException(h5.src + ": no weights for " + l + ": '" + vars + "' is missing (Keras stores a layer's"
                        + " variables under layers/<snake_case class name>, numbered per class in layer order)");
            }
            List<String> names = h5.children(g);
            if (names.size() != roles.length) {
                throw new ModelFormatException(h5.src + ": " + l + " has " + names.size() + " variable(s) at '" + vars
                        + "', expected " + roles.length + " " + Arrays.toString(roles));
            }
            List<float[]> out = new ArrayList<>();
            for (int i = 0; i < roles.length; i++) {
                Node d = h5.node(vars + "/" + i);
                if (d == null) throw new ModelFormatException(h5.src + ": " + what(l, roles[i]) + ": '" + vars + "/" + i + "' is missing");
                out.add(h5.floats(d, shapes[i], what(l, roles[i])));
            }
            return out;
        }
    }

    /** Keras 2 / legacy HDF5 weights under {@code model_weights}. */
    static final class Legacy extends WeightSource {
        final String root;

        Legacy(H5 h5, String root) {
            super(h5);
            this.root = root;
        }

        @Override
        List<float[]> read(KerasConfig.KLayer l, String legacyGroup, String[] roles, int[][] shapes) throws ModelFormatException {
            String group = KerasConfig.join(root, legacyGroup);
            Node g = h5.node(group);
            if (g == null) throw new ModelFormatException(h5.src + ": no weights for " + l + ": group '" + group + "' is missing");
            List<String> all = h5.stringList(g, "weight_names");
            if (all == null) throw new ModelFormatException(h5.src + ": no weights for " + l + ": '" + group + "' has no weight_names");
            boolean nested = !legacyGroup.equals(l.name);
            List<String> mine = new ArrayList<>();
            for (String w : all) {
                String[] parts = w.split("/");
                if (!nested || (parts.length >= 2 && parts[parts.length - 2].equals(l.name))) mine.add(w);
            }
            String[] chosen = new String[roles.length];
            boolean byName = mine.size() == roles.length;
            for (int i = 0; i < roles.length && byName; i++) {
                for (String w : mine) if (role(w).equals(roles[i])) chosen[i] = w;
                if (chosen[i] == null) byName = false;
            }
            if (!byName) {
                if (mine.size() != roles.length) {
                    throw new ModelFormatException(h5.src + ": " + l + " has " + mine.size() + " weight(s) " + mine + " in '" + group
                            + "', expected " + roles.length + " " + Arrays.toString(roles));
                }
                chosen = mine.toArray(new String[0]); // same count, other names: Keras's own order
            }
            List<float[]> out = new ArrayList<>();
            for (int i = 0; i < roles.length; i++) {
                Node d = h5.node(group + "/" + chosen[i]);
                if (d == null) throw new ModelFormatException(h5.src + ": " + what(l, roles[i]) + ": dataset '" + group + "/" + chosen[i] + "' is missing");
                out.add(h5.floats(d, shapes[i], what(l, roles[i])));
            }
            return out;
        }

        /** "conv2d_1/kernel:0" -> "kernel". */
        static String role(String weightName) {
            String s = weightName.substring(weightName.lastIndexOf('/') + 1);
            int colon = s.indexOf(':');
            return colon >= 0 ? s.substring(0, colon) : s;
        }
    }
}
