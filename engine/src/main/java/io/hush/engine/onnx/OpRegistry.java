package io.hush.engine.onnx;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The ONNX operator families Hush imports, keyed by op type (default domain). */
final class OpRegistry {
    private OpRegistry() {}

    private static final List<OpTranslator> FAMILIES = List.of(new ConvOps(), new PoolOps(), new NormalizationOps(),
            new DenseOps(), new ActivationOps(), new ArithmeticOps(), new ReshapeOps(), new PassThroughOps(),
            new ShapeFolding());

    private static final Map<String, OpTranslator> BY_OP = new TreeMap<>();

    static {
        for (OpTranslator f : FAMILIES) {
            for (String op : f.attributes().keySet()) {
                if (BY_OP.put(op, f) != null) throw new IllegalStateException(op + " is translated by two families");
            }
        }
    }

    /** The family that translates {@code op}, or null when Hush does not import it. */
    static OpTranslator forOp(String op) {
        return BY_OP.get(op);
    }

    /** The attributes {@code op} accepts (op must be supported). */
    static Set<String> attributes(String op) {
        return BY_OP.get(op).attributes().get(op);
    }

    /** Every supported op type, sorted. */
    static Set<String> supportedOps() {
        return BY_OP.keySet();
    }
}
