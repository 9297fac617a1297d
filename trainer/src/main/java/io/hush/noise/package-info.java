/**
 * Synthetic noise made on the fly: {@link io.hush.noise.NoiseModel#parse} reads specs such as {@code gaussian:25},
 * {@code gaussian:0-55}, {@code saltpepper:0.05}, {@code poisson:30}, {@code speckle:0.1}, {@code mask:0.2},
 * {@code camera} (real-camera noise, {@link io.hush.noise.CameraNoise}), joined with {@code +}, with the flags
 * {@code clip} and {@code q8}.
 *
 * <p>Scale convention: image values are in [0,1]. Gaussian sigmas are written on the 0..255 scale of the denoising
 * literature ({@code gaussian:25} adds N(0, (25/255)^2)); Poisson takes the peak photon count of a white pixel;
 * speckle a relative deviation; salt-and-pepper and mask take fractions. Noise is fresh on every call and a pure
 * function of the seed passed in.
 */
package io.hush.noise;
