package io.hush.engine.io;

import java.io.IOException;

/**
 * A model file could not be read: it is not a Hush model, it is truncated or corrupt, or what it describes is not a
 * valid model. The message says what is wrong and where (file, node index and layer name, field). This is the only
 * exception loading a file throws for bad content, whatever the bytes are.
 */
public class ModelFormatException extends IOException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
