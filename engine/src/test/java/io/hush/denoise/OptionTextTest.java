package io.hush.denoise;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class OptionTextTest {
    @Test
    void sigmaOnThe255ScaleOrAuto() {
        assertTrue(OptionText.sigma255(null).isEmpty());
        assertTrue(OptionText.sigma255(" AUTO ").isEmpty());
        assertEquals(25.0, OptionText.sigma255(" 25 ").getAsDouble());
        assertEquals(0.0, OptionText.sigma255("0").getAsDouble());
        assertEquals(255.0, OptionText.sigma255("255").getAsDouble());
        for (String bad : new String[] {"-1", "256", "NaN", "Infinity"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptionText.sigma255(bad));
            assertEquals(bad + ": must be between 0 and 255", e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptionText.sigma255("lots"));
        assertEquals("lots: expected a number on the 0..255 scale or 'auto'", e.getMessage());
    }

    @Test
    void overlapInPixelsOrAuto() {
        assertTrue(OptionText.overlap(null).isEmpty());
        assertTrue(OptionText.overlap("auto").isEmpty());
        assertEquals(0, OptionText.overlap("0").getAsInt());
        assertEquals(68, OptionText.overlap(" 68").getAsInt());
        for (String bad : new String[] {"-3", "1.5", "", "99999999999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptionText.overlap(bad));
            assertEquals(bad + ": expected pixels >= 0 or 'auto'", e.getMessage());
        }
    }
}
