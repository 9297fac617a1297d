package io.hush.engine.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import io.hush.engine.Model;
import io.hush.engine.onnx.proto.Onnx.ModelProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Imports an ONNX model (opsets {@value #MIN_OPSET} to {@value #MAX_OPSET}, float32) as an ordinary Hush
 * {@link Model}: it can be run, fine-tuned, saved as {@code .hush} and used by the CLI like any other.
 *
 * <p><b>Layouts.</b> ONNX convolution models are NCHW; Hush is NHWC. Every ONNX value is translated together with
 * the layout its ONNX view has over Hush's NHWC memory:
 * <ul>
 *   <li>an NCHW image {@code [N,C,H,W]} (what PyTorch exports) is Hush {@code [N,H,W,C]}; the model input becomes
 *       {@code [H,W,C]}, and an NCHW model output comes out NHWC;</li>
 *   <li>an NHWC image (tf2onnx from Keras: an NHWC input, or after {@code Transpose(perm=[0,2,3,1])}) is the same
 *       memory as Hush's; the {@code Transpose(0,3,1,2)} / {@code Transpose(0,2,3,1)} pairs tf2onnx puts around
 *       every convolution and pooling only relabel the value and are folded away;</li>
 *   <li>features {@code [N,F]} carry a permutation: PyTorch's {@code Flatten} of an NCHW image orders features
 *       {@code (c,h,w)}, Hush's {@code Flatten} orders them {@code (h,w,c)}, so the rows of the following
 *       Gemm/MatMul weight are permuted to match; a {@code Reshape} from features to an NCHW image (before a
 *       ConvTranspose) permutes the <em>columns</em> (and bias) of the Dense that produced the features instead,
 *       which must precede it (optionally through activations, each with a single consumer). No extra layers or
 *       copies are inserted, so the imported model has exactly the layers a Keras user would have written.</li>
 * </ul>
 *
 * <p><b>Supported operators</b> (default domain): Conv, ConvTranspose (2-D, group 1; pads, auto_pad, strides,
 * dilations, output_padding), MaxPool (2-D, dilation 1; ceil_mode only where it equals SAME), BatchNormalization
 * (inference form, on images or [N,F]), Gemm (transA 0), MatMul with a constant [In,Out] weight (+ Add of a constant
 * bias), Flatten (axis 1), Reshape with a constant shape (to [N,F] or from [N,F] to an image; the shape may be
 * computed by Shape/Gather/Unsqueeze/Squeeze/Concat/Cast on constants, as torch writes {@code x.view(x.size(0), -1)}),
 * Transpose (the NHWC/NCHW relabellings above), Relu, LeakyRelu, Sigmoid, Tanh, Clip(0, inf) (= ReLU), Add/Sub of two
 * tensors of the same shape, Add/Sub/Mul/Div by a scalar constant (Mul then Add become one Scale), Dropout,
 * Identity and Constant. A Relu/LeakyRelu/Sigmoid/Tanh/Clip that is the only consumer of a Conv, ConvTranspose, Gemm
 * or MatMul is fused into that layer. Not supported: grouped/depthwise convolutions, per-channel constant Mul/Add,
 * Clip bounds other than (0, inf) (ReLU6 has no Hush activation), pooling other than MaxPool, broadcasting.
 *
 * <p>Each operator family is one {@code OpTranslator} ({@code ConvOps}, {@code PoolOps}, {@code ActivationOps}, ...)
 * in {@code OpRegistry}, which declares the attributes each op accepts, checks them and translates. Anything else
 * fails with one {@link OnnxException} whose message lists every unsupported node (op type and name) and attribute,
 * not only the first, and the operators Hush imports.
 */
public final class OnnxImporter {
    public static final int MIN_OPSET = 11;
    public static final int MAX_OPSET = 18;
    /** Image size used when the ONNX input has symbolic height/width and none is given. */
    public static final int DEFAULT_SPATIAL = 64;

    private OnnxImporter() {}

    /** Reads an ONNX file. */
    public static Model read(Path file) throws IOException {
        return read(file, 0, 0);
    }

    /**
     * Reads an ONNX file; {@code h, w} (if > 0) give the build-time input size for models whose input height and width
     * are symbolic (fully convolutional models take any size afterwards anyway).
     */
    public static Model read(Path file, int h, int w) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return read(bytes, file.getFileName().toString(), h, w);
    }

    /** Reads a serialized ONNX model; {@code source} names it in messages and metadata. */
    public static Model read(byte[] bytes, String source, int h, int w) throws OnnxException {
        ModelProto m;
        try {
            m = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException(source + ": not an ONNX model (" + e.getMessage() + ")", e);
        }
        if (!m.hasGraph() || m.getGraph().getNodeCount() == 0) {
            throw new OnnxException(source + ": not an ONNX model (no graph)");
        }
        return new Translation(m, source, h, w).run();
    }

    /** Converts a parsed ONNX model. */
    public static Model convert(ModelProto m, String source) throws OnnxException {
        return new Translation(m, source, 0, 0).run();
    }
}
