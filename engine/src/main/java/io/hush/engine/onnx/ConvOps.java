package io.hush.engine.onnx;

import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Padding;
import io.hush.engine.onnx.proto.Onnx.NodeProto;
import io.hush.engine.onnx.proto.Onnx.TensorProto;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static io.hush.engine.onnx.Attributes.intAttr;
import static io.hush.engine.onnx.Attributes.intsAttr;
import static io.hush.engine.onnx.Attributes.stringAttr;

/**
 * Conv and ConvTranspose (2-D, group 1; pads, auto_pad, strides, dilations, output_padding) to Conv2D and
 * Conv2DTranspose, with the weight converted from ONNX {@code [Cout,Cin,KH,KW]} / {@code [Cin,Cout,KH,KW]} to Hush
 * {@code [KH,KW,Cin,Cout]} and an activation that is the only reader fused in. Also the window checks pooling shares.
 */
final class ConvOps implements OpTranslator {
    private static final Set<String> WINDOW = Set.of("auto_pad", "dilations", "kernel_shape", "pads", "strides");
    private static final Set<String> AUTO_PADS = Set.of("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER");

    @Override
    public Map<String, Set<String>> attributes() {
        return Map.of("Conv", union(WINDOW, "group"), "ConvTranspose", union(WINDOW, "group", "output_padding"));
    }

    static Set<String> union(Set<String> a, String... more) {
        Set<String> s = new HashSet<>(a);
        s.addAll(Arrays.asList(more));
        return Set.copyOf(s);
    }

    @Override
    public void check(Translation t, NodeProto n) {
        long group = intAttr(n, "group", 1);
        if (group != 1) t.problem(n, "group=" + group + " is not supported (grouped/depthwise convolution)");
        checkWindow(t, n, "strides", "dilations", "kernel_shape", "output_padding");
    }

    /** auto_pad is a known mode, {@code pairs} have two values (H, W) and pads four. */
    static void checkWindow(Translation t, NodeProto n, String... pairs) {
        String ap = stringAttr(n, "auto_pad", "NOTSET");
        if (!AUTO_PADS.contains(ap)) t.problem(n, "auto_pad=" + ap);
        for (String a : pairs) {
            int[] v = intsAttr(n, a, null);
            if (v != null && v.length != 2) t.problem(n, a + "=" + Arrays.toString(v) + ": only 2-D (two values) is supported");
        }
        int[] v = intsAttr(n, "pads", null);
        if (v != null && v.length != 4) t.problem(n, "pads=" + Arrays.toString(v) + ": only 2-D (four values) is supported");
    }

    @Override
    public void translate(Translation t, NodeProto n) throws OnnxException {
        boolean transposed = n.getOpType().equals("ConvTranspose");
        Val x = t.image(n, t.in(n, 0));
        if (x == null) return;
        TensorProto wt = t.constTensor(n, 1, "weight");
        if (wt == null) return;
        long[] wd = OnnxTensors.dims(wt);
        int cin = t.b.shape(x.node()).dim(2);
        if (wd.length != 4 || wd[transposed ? 0 : 1] != cin) {
            t.problem(n, "weight " + Arrays.toString(wd) + " does not fit a 2-D " + (transposed ? "transposed " : "")
                    + "convolution of " + cin + " channels " + (transposed ? "[Cin,Cout,KH,KW]" : "[Cout,Cin,KH,KW]"));
            return;
        }
        int cout = (int) wd[transposed ? 1 : 0], kh = (int) wd[2], kw = (int) wd[3];
        int[] ks = intsAttr(n, "kernel_shape", null);
        if (ks != null && (ks[0] != kh || ks[1] != kw)) {
            t.problem(n, "kernel_shape=" + Arrays.toString(ks) + " does not match the weight (" + kh + "x" + kw + ")");
            return;
        }
        float[] w = OnnxTensors.floats(wt);
        float[] bias = null;
        if (Translation.hasInput(n, 2)) {
            TensorProto bt = t.constTensor(n, 2, "bias");
            if (bt == null) return;
            bias = OnnxTensors.floats(bt);
            if (bias.length != cout) {
                t.problem(n, "bias has " + bias.length + " values for " + cout + " output channels");
                return;
            }
        }
        Window win = new Window(kh, kw, intsAttr(n, "strides", new int[] {1, 1}),
                intsAttr(n, "dilations", new int[] {1, 1}), intsAttr(n, "pads", new int[4]), // ONNX: top, left, bottom, right
                stringAttr(n, "auto_pad", "NOTSET"));
        if (transposed) convTranspose(t, n, x, w, bias, cin, cout, win);
        else conv(t, n, x, w, bias, cin, cout, win);
    }

    /** A convolution window: kernel size, strides, dilations, ONNX pads (top, left, bottom, right), auto_pad. */
    private record Window(int kh, int kw, int[] st, int[] dil, int[] pads, String autoPad) {}

    private static void conv(Translation t, NodeProto n, Val x, float[] w, float[] bias, int cin, int cout, Window win) {
        int kh = win.kh(), kw = win.kw();
        int[] st = win.st(), dil = win.dil(), pads = win.pads();
        int effH = (kh - 1) * dil[0] + 1, effW = (kw - 1) * dil[1] + 1;
        Padding mode = null;
        switch (win.autoPad()) {
            case "SAME_UPPER" -> mode = Padding.SAME;
            case "VALID" -> mode = Padding.VALID;
            case "SAME_LOWER" -> {
                if (st[0] == 1 && st[1] == 1 && effH % 2 == 1 && effW % 2 == 1) mode = Padding.SAME;
                else {
                    t.problem(n, "auto_pad=SAME_LOWER with strides " + Arrays.toString(st) + " (padding that depends"
                            + " on the input size, extra at the start) is not supported");
                    return;
                }
            }
            default -> {
                if (Arrays.stream(pads).allMatch(p -> p == 0)) mode = Padding.VALID;
                else if (sameForAnySize(st, effH, effW, pads)) mode = Padding.SAME;
            }
        }
        Translation.Fused fused = t.fusedActivation(n.getOutput(0));
        boolean useBias = bias != null;
        Conv2D conv = mode != null
                ? new Conv2D(cout, kh, kw, st[0], st[1], mode, dil[0], dil[1], useBias, fused.act())
                : Conv2D.withPads(cout, kh, kw, st[0], st[1], pads[0], pads[2], pads[1], pads[3], dil[0], dil[1],
                useBias, fused.act());
        int id = t.add(conv.name(t.layerName(n)), x.node());
        t.setters.add(() -> {
            conv.kernel().value.copyFrom(Layouts.oihwToHwio(w, cout, cin, kh, kw));
            if (useBias) conv.bias().value.copyFrom(bias);
        });
        t.define(fused.output(n), new Val(id, Layout.NCHW, null, null));
    }

    /** Explicit pads that equal TensorFlow SAME for every input size: stride 1, the smaller half first. */
    static boolean sameForAnySize(int[] st, int effH, int effW, int[] pads) {
        return st[0] == 1 && st[1] == 1
                && pads[0] == (effH - 1) / 2 && pads[2] == effH - 1 - (effH - 1) / 2
                && pads[1] == (effW - 1) / 2 && pads[3] == effW - 1 - (effW - 1) / 2;
    }

    private static void convTranspose(Translation t, NodeProto n, Val x, float[] w, float[] bias, int cin, int cout,
                                      Window win) {
        int kh = win.kh(), kw = win.kw();
        int[] st = win.st(), dil = win.dil(), pads = win.pads();
        int[] op = intsAttr(n, "output_padding", new int[2]);
        String ap = win.autoPad();
        if (ap.equals("VALID")) pads = new int[4];
        if (ap.startsWith("SAME")) {
            // output = input * stride; the crop eff + op - s does not depend on the input size. SAME_UPPER puts
            // the smaller half first (TensorFlow/Keras "same"), SAME_LOWER the larger, as ONNX Runtime does.
            int[] k = {kh, kw};
            for (int a = 0; a < 2; a++) {
                int total = (k[a] - 1) * dil[a] + 1 + op[a] - st[a];
                if (total < 0) {
                    t.problem(n, "auto_pad=" + ap + " with a kernel smaller than the stride is not supported");
                    return;
                }
                int small = total / 2;
                pads[a] = ap.equals("SAME_UPPER") ? small : total - small;
                pads[a + 2] = total - pads[a];
            }
        }
        Translation.Fused fused = t.fusedActivation(n.getOutput(0));
        boolean useBias = bias != null;
        Conv2DTranspose ct = Conv2DTranspose.withPads(cout, kh, kw, st[0], st[1], pads[0], pads[2], pads[1],
                pads[3], op[0], op[1], dil[0], dil[1], useBias, fused.act());
        int id = t.add(ct.name(t.layerName(n)), x.node());
        t.setters.add(() -> {
            ct.kernel().value.copyFrom(Layouts.onnxConvTransposeToHush(w, cin, cout, kh, kw));
            if (useBias) ct.bias().value.copyFrom(bias);
        });
        t.define(fused.output(n), new Val(id, Layout.NCHW, null, null));
    }
}
