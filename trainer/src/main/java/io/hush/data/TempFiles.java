package io.hush.data;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Write-then-move for every file Hush writes (images, plots, logs, checkpoints), so that no half-written file is ever
 * seen under the real name. The temporary file is created beside the target (same file system, so the move is a
 * rename) with the usual permissions of a new file (umask), not {@code Files.createTempFile}'s owner-only 0600: the
 * file moved into place then has the mode a user expects.
 */
public final class TempFiles {
    private TempFiles() {}

    /** Creates a new empty file {@code .NAME.<random>.tmp} in the folder of {@code target} (which must exist). */
    public static Path beside(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 16) throw e;
            }
        }
    }

    /** Moves {@code tmp} over {@code target}: atomically where the file system can, else a plain replacing move. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
