package io.hush.engine.onnx;

/**
 * How the ONNX view of an imported value relates to the Hush memory of its node: an NCHW image over Hush's NHWC
 * {@code [N,H,W,C]} (what PyTorch exports), an NHWC image (the same memory: tf2onnx from Keras), or features
 * {@code [N,F]}.
 */
enum Layout { NCHW, NHWC, FLAT }
