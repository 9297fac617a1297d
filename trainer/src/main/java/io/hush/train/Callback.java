package io.hush.train;

import io.hush.train.state.State;

import java.util.Map;

/**
 * Hooks into {@link Trainer#fit} (Keras-style). Logs of an epoch are ordered name -> value: epoch, loss, reg,
 * val_loss, val_psnr, val_ssim, val_psnr_noisy, lr, seconds (see {@link Trainer}). A callback with state that
 * decides what happens later (early stopping's patience, the best value so far) saves it in {@link #save} so a
 * resumed run makes the same decisions.
 */
public interface Callback {
    default void onTrainBegin(Trainer t) {}

    default void onEpochBegin(Trainer t, int epoch) {}

    /** After every optimiser step; {@code batch} is 0-based within the epoch. */
    default void onBatchEnd(Trainer t, int epoch, int batch, double loss) {}

    default void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {}

    default void onTrainEnd(Trainer t, History h) {}

    default void save(State s, String prefix) {}

    default void load(State s, String prefix) {}
}
