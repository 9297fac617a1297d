/**
 * Classical denoising baselines on {@code [H, W]} float planes (apply to colour images plane by plane with
 * {@link io.hush.classic.Planes#map}): {@link io.hush.classic.GaussianBlur}, {@link io.hush.classic.MedianFilter},
 * {@link io.hush.classic.BilateralFilter}, {@link io.hush.classic.NonLocalMeans} (OpenCV fastNlMeansDenoising
 * semantics), {@link io.hush.classic.ColorNonLocalMeans} (one set of NLM weights for the three planes of an RGB image,
 * from an opponent-colour patch distance), and the {@link io.hush.classic.NoiseEstimator} (Donoho's MAD of the finest
 * diagonal Haar band).
 * All reflect (half-sample symmetric) at the border and use values in [0,1] (sigmas and h likewise).
 */
package io.hush.classic;
