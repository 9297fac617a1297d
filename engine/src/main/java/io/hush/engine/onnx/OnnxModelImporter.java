package io.hush.engine.onnx;

import io.hush.engine.Model;
import io.hush.engine.io.ImportOptions;
import io.hush.engine.io.ModelImporter;

import java.io.IOException;
import java.util.List;

/**
 * ONNX files as a {@link ModelImporter}, so {@link Model#load(java.nio.file.Path)} reads them like any other format.
 * An ONNX file has no magic number: a serialized {@code ModelProto} starts with its {@code ir_version} field (tag
 * byte {@code 0x08}), which is what {@link #accepts} looks for.
 */
public final class OnnxModelImporter implements ModelImporter {
    @Override public String format() { return "ONNX"; }

    @Override public List<String> extensions() { return List.of(".onnx"); }

    @Override public boolean accepts(byte[] head) { return head.length > 0 && head[0] == 0x08; }

    @Override
    public Model load(byte[] bytes, String nameHint, ImportOptions options) throws IOException {
        return OnnxImporter.read(bytes, nameHint, options.height(), options.width());
    }
}
