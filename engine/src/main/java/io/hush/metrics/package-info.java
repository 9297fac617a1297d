/**
 * Image quality metrics on float planes: {@link io.hush.metrics.Psnr} (peak configurable, per image and mean over a
 * set), {@link io.hush.metrics.Ssim} (Wang's 11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03, valid-region mean,
 * = scikit-image with gaussian_weights) and {@link io.hush.metrics.MsSsim} (5 scales, Wang's weights). Checked
 * against values printed by tools/golden/metrics_golden.py.
 */
package io.hush.metrics;
