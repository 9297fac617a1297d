package io.hush.denoise;

import static org.junit.jupiter.api.Assertions.*;

import java.util.function.Function;
import org.junit.jupiter.api.Test;

class OptionTextTest {
    /** Each text is refused with the message "TEXT" + {@code why}. */
    static void assertRefused(Function<String, ?> parse, String why, String... texts) {
        for (String t : texts) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse.apply(t));
            assertEquals(t + why, e.getMessage());
        }
    }

    @Test
    void sigmaOnThe255ScaleOrAuto() {
        assertTrue(OptionText.sigma255(null).isEmpty());
        assertTrue(OptionText.sigma255(" AUTO ").isEmpty());
        assertEquals(25.0, OptionText.sigma255(" 25 ").getAsDouble());
        assertEquals(0.0, OptionText.sigma255("0").getAsDouble());
        assertEquals(255.0, OptionText.sigma255("255").getAsDouble());
        assertRefused(OptionText::sigma255, ": must be between 0 and 255", "-1", "256", "NaN", "Infinity");
        assertRefused(OptionText::sigma255, ": expected a number on the 0..255 scale or 'auto'", "lots");
    }

    @Test
    void overlapInPixelsOrAuto() {
        assertTrue(OptionText.overlap(null).isEmpty());
        assertTrue(OptionText.overlap("auto").isEmpty());
        assertEquals(0, OptionText.overlap("0").getAsInt());
        assertEquals(68, OptionText.overlap(" 68").getAsInt());
        assertRefused(OptionText::overlap, ": expected pixels >= 0 or 'auto'", "-3", "1.5", "", "99999999999");
    }
}
