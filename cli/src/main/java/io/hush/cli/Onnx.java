package io.hush.cli;

import io.hush.engine.Model;
import io.hush.engine.onnx.OnnxExporter;
import io.hush.engine.onnx.OnnxImporter;

import java.io.IOException;
import java.nio.file.Path;

/** The bridge to the ONNX importer/exporter (io.hush.engine.onnx). */
final class Onnx {
    private Onnx() {}

    static Model importModel(Path file) throws IOException {
        return OnnxImporter.read(file);
    }

    /** Imports with a build-time size for inputs whose height/width are symbolic (0 = the importer's default). */
    static Model importModel(Path file, int h, int w) throws IOException {
        return OnnxImporter.read(file, h, w);
    }

    static void exportModel(Model m, Path file, int opset) throws IOException {
        OnnxExporter.write(m, file, opset);
    }
}
