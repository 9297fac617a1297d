package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.Shape;
import io.hush.engine.ShapeException;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Window2D} and {@link Pad}: one check and one message for every sliding-window layer. */
class WindowSettingsTest {

    private static void message(String want, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(want), "'" + e.getMessage() + "' should contain '" + want + "'");
    }

    @Test
    void windowRefusesSizesBelowOneNamingAllSettings() {
        message("window 0x3, strides 1x1, dilation 1x1: kernel size, strides and dilation must be >= 1",
                () -> new Window2D(0, 3, 1, 1, 1, 1));
        message("window 3x3, strides 1x0", () -> new Window2D(3, 3, 1, 0, 1, 1));
        message("dilation 1x-2", () -> new Window2D(3, 3, 1, 1, 1, -2));
        // the same check behind every layer's own constructors
        message("window 3x3, strides 0x0", () -> new Conv2D(4, 3, 0, Padding.SAME, Activation.RELU));
        message("window 3x3, strides 0x0", () -> new Conv2DTranspose(4, 3, 0, Padding.SAME, Activation.RELU));
        message("window 0x0, strides 0x0", () -> new MaxPool2D(0));
        message("window 2x2, strides 0x2", () -> new AveragePool2D(2, 2, 0, 2, Padding.VALID));
        assertEquals(5, new Window2D(3, 2, 1, 1, 2, 1).extentH());
        assertEquals(2, new Window2D(3, 2, 1, 1, 2, 1).extentW());
    }

    @Test
    void explicitPadsRefuseNegativesInOneDocumentedOrder() {
        message("pads must be >= 0, got top 0, bottom -1, left 0, right 0", () -> Pad.explicit(0, -1, 0, 0));
        message("pads must be >= 0, got top 1, bottom 2, left 3, right -4",
                () -> Conv2D.withPads(2, 3, 3, 1, 1, 1, 2, 3, -4, 1, 1, true, Activation.LINEAR));
        Pad.Explicit p = Pad.explicit(1, 2, 3, 4);
        assertEquals(1, p.top());
        assertEquals(2, p.bottom());
        assertEquals(3, p.left());
        assertEquals(4, p.right());
        // every layer keeps pads as (top, bottom, left, right), whatever order its factory takes
        assertEquals(p, Conv2D.withPads(2, 5, 5, 1, 1, 1, 2, 3, 4, 1, 1, true, Activation.LINEAR).pad());
        assertEquals(p, Conv2DTranspose.withPads(2, 5, 5, 1, 1, 1, 2, 3, 4, 0, 0, 1, 1, true, Activation.LINEAR).pad());
        assertEquals(p, MaxPool2D.explicit(5, 5, 1, 1, 1, 3, 2, 4).pad()); // ONNX order top, left, bottom, right
    }

    @Test
    void layerSpecificRulesNameTheLayer() {
        message("MaxPool2D: pads must be smaller than the pool 2x2",
                () -> new MaxPool2D(Window2D.of(2, 2, 1, 1), Pad.explicit(2, 0, 0, 0)));
        message("MaxPool2D: pooling has no dilation", () -> new MaxPool2D(new Window2D(2, 2, 1, 1, 2, 1), Pad.VALID));
        message("AveragePool2D: explicit pads are not supported",
                () -> new AveragePool2D(Window2D.of(2, 2, 2, 2), Pad.explicit(1, 0, 0, 0)));
        message("Conv2D: padding is null", () -> new Conv2D(2, Window2D.of(3, 3, 1, 1), null, true, Activation.LINEAR));
        message("padding mode is null", () -> new Conv2D(2, 3, 1, null, Activation.LINEAR));
        message("Conv2D: activation is null (use Activation.LINEAR)", () -> new Conv2D(2, 3, null));
        message("Conv2DTranspose: filters must be >= 1, got 0",
                () -> new Conv2DTranspose(0, 3, 2, Padding.SAME, Activation.LINEAR));
        message("Conv2DTranspose: output padding is given along one axis only", () -> new Conv2DTranspose(2,
                Window2D.of(3, 3, 2, 2), Pad.SAME, OptionalInt.of(1), OptionalInt.empty(), true, Activation.LINEAR));
        message("output padding 2x0 must be >= 0 and smaller than the stride or dilation",
                () -> new Conv2DTranspose(2, 3, 3, 2, 2, Padding.SAME, 2, 0, 1, 1, true, Activation.LINEAR));
    }

    @Test
    void samePaddingSplitsLikeTensorflowForConvolutionAndPooling() {
        Window2D w = Window2D.of(3, 2, 2, 2);
        // H: out ceil(6/2) = 3, total (3-1)*2 + 3 - 6 = 1 -> top 0, bottom 1; W: total (3-1)*2 + 2 - 6 = 0
        assertEquals(Pad.explicit(0, 1, 0, 0), Pad.SAME.resolve(6, 6, w));
        assertEquals(Pad.explicit(0, 0, 0, 0), Pad.VALID.resolve(6, 6, w));
        assertEquals(Pad.explicit(4, 3, 2, 1), Pad.explicit(4, 3, 2, 1).resolve(6, 6, w));
        assertEquals(Shape.of(3, 3, 1), new MaxPool2D(w, Pad.SAME).outputShape(Shape.of(6, 6, 1)));
        assertEquals(Shape.of(3, 3, 1), new AveragePool2D(w, Pad.SAME).outputShape(Shape.of(6, 6, 1)));
        assertEquals(Shape.of(3, 3, 4), new Conv2D(4, w, Pad.SAME, true, Activation.LINEAR).outputShape(Shape.of(6, 6, 1)));
    }

    @Test
    void windowLargerThanTheInputIsAShapeErrorNamingLayerAndPadding() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> new AveragePool2D(3).name("ap").outputShape(Shape.of(2, 5, 1)));
        assertTrue(e.getMessage().contains("AveragePool2D 'ap': window 3x3") && e.getMessage().contains("[2,5,1]")
                && e.getMessage().contains("with VALID padding"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> MaxPool2D.explicit(3, 3, 1, 1, 0, 0, 1, 0).name("mp")
                .outputShape(Shape.of(1, 5, 1)));
        assertTrue(e.getMessage().contains("MaxPool2D 'mp'") && e.getMessage().contains("plus pads top 0, bottom 1"),
                e.getMessage());
    }
}
