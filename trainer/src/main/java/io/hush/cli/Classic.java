package io.hush.cli;

import io.hush.data.FloatImage;
import io.hush.denoise.Denoiser;

import java.util.Iterator;
import java.util.List;

/** The bridge to the classical filters and the noise estimator (io.hush.classic). */
final class Classic {
    private Classic() {}

    /** Names accepted after {@code classic:} (for help texts). */
    static final class Names implements Iterable<String> {
        @Override public Iterator<String> iterator() {
            return List.of("gaussian", "median", "bilateral", "nlm").iterator();
        }
    }

    static Denoiser denoiser(String name) {
        throw new CliException("classical filters are not available in this build yet");
    }

    static Denoiser best() {
        throw new CliException("no trained default model is installed (weights/" + ModelFiles.DEFAULT
                + ".hush) and classical filters are not available in this build yet");
    }

    static float estimateSigma(FloatImage img) {
        throw new CliException("--sigma auto: the noise estimator is not available in this build yet; give --sigma S");
    }
}
