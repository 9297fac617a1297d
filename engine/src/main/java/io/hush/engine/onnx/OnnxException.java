package io.hush.engine.onnx;

import io.hush.engine.io.ModelFormatException;

/**
 * An ONNX file could not be imported (or a model exported): not an ONNX model, an unsupported opset, or operators
 * and attributes Hush cannot map. The importer checks the whole graph first and throws one of these listing every
 * problem, each with the node's op type and name, so one run tells everything that would need changing. It is a
 * {@link ModelFormatException}, so code loading either kind of model file catches one exception type.
 */
public class OnnxException extends ModelFormatException {
    public OnnxException(String message) {
        super(message);
    }

    public OnnxException(String message, Throwable cause) {
        super(message, cause);
    }
}
