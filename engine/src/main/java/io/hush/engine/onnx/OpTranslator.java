package io.hush.engine.onnx;

import io.hush.engine.onnx.proto.Onnx.NodeProto;

import java.util.Map;
import java.util.Set;

/**
 * One family of ONNX operators (convolutions, pooling, activations, ...): which op types it handles and the
 * attributes each accepts, the checks that need no input values (run on every node before translation, so one
 * import reports every problem), and the translation of a node into Hush layers, constants or aliases.
 * {@link OpRegistry} keys the families by op type.
 */
interface OpTranslator {
    /** Op type -> the attributes it accepts (any other attribute is reported as unsupported). */
    Map<String, Set<String>> attributes();

    /** Checks attribute values and unused extra outputs; reports through {@link Translation#problem}. */
    default void check(Translation t, NodeProto n) {}

    /** Translates a checked node whose inputs are all available. */
    void translate(Translation t, NodeProto n) throws OnnxException;
}
