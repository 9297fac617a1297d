package io.hush.cli;

import io.hush.engine.Model;

import java.io.IOException;
import java.nio.file.Path;

/** The bridge to the ONNX importer/exporter (io.hush.engine.onnx). */
final class Onnx {
    private Onnx() {}

    static Model importModel(Path file) throws IOException {
        throw new CliException(file + ": ONNX import is not available in this build yet");
    }

    static void exportModel(Model m, Path file) throws IOException {
        throw new CliException(file + ": ONNX export is not available in this build yet");
    }
}
