package io.hush.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The end-to-end peer of {@code hush denoise}: a plain one-shot ONNX Runtime (Java API, CPU) program, the way a user
 * would write it. It creates one session (intra-op threads = {@code --threads}, one inter-op thread, sequential,
 * all graph optimisations), then per image: read it with ImageIO, convert to NCHW floats in [0,1] (gray for a
 * 1-channel model, RGB for a 3-channel one), run the session once, clamp and round to 8 bits, write a PNG. Timed as a
 * whole process (JVM start included) by {@code bench/run.sh e2e}. Built only with {@code -Ppeers}.
 *
 * <p>Usage: {@code PeerOrtDenoise --threads T MODEL.onnx OUT_DIR IN...} (IN: PNG files or folders of them).
 */
public final class PeerOrtDenoise {
    private PeerOrtDenoise() {}

    public static void main(String[] args) throws IOException, OrtException {
        int threads = Runtime.getRuntime().availableProcessors(), a = 0;
        if (args.length > 1 && args[0].equals("--threads")) {
            threads = Integer.parseInt(args[1]);
            a = 2;
        }
        if (args.length - a < 3) {
            System.err.println("usage: PeerOrtDenoise [--threads T] MODEL.onnx OUT_DIR IN...");
            System.exit(2);
        }
        String model = args[a];
        File outDir = new File(args[a + 1]);
        List<File> inputs = new ArrayList<>();
        for (int i = a + 2; i < args.length; i++) {
            File f = new File(args[i]);
            if (f.isDirectory()) {
                File[] fs = f.listFiles((d, n) -> n.endsWith(".png"));
                if (fs != null) {
                    java.util.Arrays.sort(fs);
                    inputs.addAll(List.of(fs));
                }
            } else {
                inputs.add(f);
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(model, o)) {
                String inName = session.getInputNames().iterator().next();
                long[] inShape = ((ai.onnxruntime.TensorInfo) session.getInputInfo().get(inName).getInfo()).getShape();
                int c = (int) inShape[1];
                for (File f : inputs) {
                    BufferedImage img = ImageIO.read(f);
                    if (img == null) throw new IOException(f + ": not an image ImageIO reads");
                    int w = img.getWidth(), h = img.getHeight(), hw = w * h;
                    float[] x = new float[c * hw];
                    for (int y = 0; y < h; y++) {
                        for (int q = 0; q < w; q++) {
                            int rgb = img.getRGB(q, y);
                            int r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
                            int i = y * w + q;
                            if (c == 1) {
                                x[i] = (img.getRaster().getSample(q, y, 0)) / 255f;
                            } else {
                                x[i] = r / 255f;
                                x[hw + i] = g / 255f;
                                x[2 * hw + i] = b / 255f;
                            }
                        }
                    }
                    float[] out;
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, c, h, w});
                         OrtSession.Result res = session.run(Map.of(inName, t))) {
                        FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
                        out = new float[fb.remaining()];
                        fb.get(out);
                    }
                    BufferedImage o8 = new BufferedImage(w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < h; y++) {
                        for (int q = 0; q < w; q++) {
                            int i = y * w + q;
                            if (c == 1) {
                                o8.getRaster().setSample(q, y, 0, to8(out[i]));
                            } else {
                                o8.setRGB(q, y, (to8(out[i]) << 16) | (to8(out[hw + i]) << 8) | to8(out[2 * hw + i]));
                            }
                        }
                    }
                    ImageIO.write(o8, "png", new File(outDir, f.getName()));
                }
            }
        }
    }

    private static int to8(float v) {
        return Math.round(Math.clamp(v, 0f, 1f) * 255f);
    }
}
