package io.hush.engine.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The importer lookup without any importer module on the class path (the engine's own tests): foreign extensions are
 * recognised and the error says which artifact to add; unknown extensions are not claimed. The keras module tests the
 * lookup with its importer present.
 */
class ImportersTest {
    @TempDir Path dir;

    @Test
    void knownForeignExtensionSaysWhichModuleToAdd() throws Exception {
        Path f = dir.resolve("model.keras");
        Files.write(f, new byte[] {'P', 'K', 3, 4});
        assertTrue(ModelImporters.handles(f));
        assertTrue(ModelImporters.handles(dir.resolve("Weights.H5")));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelImporters.load(f));
        assertEquals("model.keras: no importer for .keras files on the class path: add io.hush:hush-keras to read .keras files",
                e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> ModelImporters.load(new byte[0], "old.h5", ImportOptions.DEFAULT));
        assertTrue(e.getMessage().startsWith("old.h5: ") && e.getMessage().contains("add io.hush:hush-keras to read .h5 files"),
                e.getMessage());
    }

    @Test
    void otherExtensionsAreNotClaimed() {
        assertFalse(ModelImporters.handles(dir.resolve("model.hush")));
        assertFalse(ModelImporters.handles(dir.resolve("model")));
        assertTrue(ModelImporters.forFile(dir.resolve("x.keras")).isEmpty());
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelImporters.load(new byte[0], "net.pt", ImportOptions.DEFAULT));
        assertTrue(e.getMessage().startsWith("net.pt: no importer for .pt files"), e.getMessage());
    }

    @Test
    void importOptionsValidate() {
        assertFalse(ImportOptions.DEFAULT.hasInputRange());
        assertTrue(ImportOptions.DEFAULT.withInputRange(0f, 255f).hasInputRange());
        assertThrows(IllegalArgumentException.class, () -> ImportOptions.DEFAULT.withInputRange(1f, 0f));
        assertThrows(IllegalArgumentException.class, () -> ImportOptions.DEFAULT.withSize(-1, 4));
    }
}
