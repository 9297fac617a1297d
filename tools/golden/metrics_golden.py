#!/usr/bin/env python3
"""Golden values for io.hush.metrics (PsnrSsimGoldenTest): PSNR and SSIM from scikit-image, MS-SSIM from an
independent numpy/scipy implementation of Wang's msssim.m (its SSIM part is checked against scikit-image here).

Run: /usr/bin/python3 tools/golden/metrics_golden.py   (Debian: apt-get install -y python3-skimage)
and paste the printed lines into engine/src/test/java/io/hush/metrics/MetricsGoldenTest.java.

The test images are integer formulas (exact in float32 in both languages), so Java rebuilds the same inputs.
"""
import numpy as np
from scipy.signal import convolve2d
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def clean(h, w, c=0):
    i, j = np.mgrid[0:h, 0:w]
    return (3 * i + 5 * j + 40 * c + 40 * (((i // 16) + (j // 16)) % 2)) % 256


def noise1(h, w, c=0):
    i, j = np.mgrid[0:h, 0:w]
    return ((i * i * 7 + j * 13 + i * j * 3 + c * 11) % 41) - 20


def noise2(h, w, c=0):
    i, j = np.mgrid[0:h, 0:w]
    return ((i * 31 + j * j * 17 + i * j + c * 5) % 121) - 60


def f32(k):
    return (np.asarray(k, dtype=np.float32) / np.float32(255)).astype(np.float32)


def pair(h, w, noise, channels=1):
    a = np.stack([clean(h, w, c) for c in range(channels)], -1)
    b = np.clip(a + np.stack([noise(h, w, c) for c in range(channels)], -1), 0, 255)
    if channels == 1:
        a, b = a[..., 0], b[..., 0]
    return f32(a), f32(b)


def gauss_window():
    x = np.arange(11) - 5.0
    g = np.exp(-x * x / (2 * 1.5 * 1.5))
    g /= g.sum()
    return np.outer(g, g)


def ssim_valid(a, b, L=1.0):
    """Wang's ssim_index.m: filter2(window, ., 'valid'); returns (mean ssim, mean cs)."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    win = gauss_window()[::-1, ::-1]  # convolve2d flips; the window is symmetric anyway
    f = lambda x: convolve2d(x, win, mode='valid')
    mx, my = f(a), f(b)
    vx, vy, cxy = f(a * a) - mx * mx, f(b * b) - my * my, f(a * b) - mx * my
    c1, c2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    cs = (2 * cxy + c2) / (vx + vy + c2)
    s = (2 * mx * my + c1) / (mx * mx + my * my + c1) * cs
    return s.mean(), cs.mean()


def half(x):
    """msssim.m: imfilter(x, ones(2)/4, 'symmetric', 'same') then x(1:2:end, 1:2:end)."""
    p = np.pad(x, ((0, 1), (0, 1)), mode='symmetric')
    f = (p[:-1, :-1] + p[1:, :-1] + p[:-1, 1:] + p[1:, 1:]) / 4
    return f[0::2, 0::2]


def ms_ssim(a, b, L=1.0):
    w = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    v = 1.0
    for j in range(5):
        s, cs = ssim_valid(a, b, L)
        v *= max(s if j == 4 else cs, 0.0) ** w[j]
        if j < 4:
            a, b = half(a), half(b)
    return v


def sk_ssim(a, b, L=1.0, channel_axis=None):
    # float64 inputs: scikit-image computes in the input's float type, and float32 would cost ~1e-7.
    a, b = np.float64(a), np.float64(b)
    return structural_similarity(a, b, data_range=L, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                 channel_axis=channel_axis)


out = []
for name, (h, w, noise) in {'G1': (64, 80, noise1), 'G2': (64, 80, noise2)}.items():
    a, b = pair(h, w, noise)
    s = sk_ssim(a, b)
    assert abs(s - ssim_valid(a, b)[0]) < 1e-12, (s, ssim_valid(a, b))
    out.append(f'PSNR_{name} = {peak_signal_noise_ratio(np.float64(a), np.float64(b), data_range=1.0)!r}')
    out.append(f'SSIM_{name} = {s!r}')
a, b = pair(48, 40, noise2, channels=3)
out.append(f'PSNR_RGB = {peak_signal_noise_ratio(np.float64(a), np.float64(b), data_range=1.0)!r}')
out.append(f'SSIM_RGB = {sk_ssim(a, b, channel_axis=-1)!r}')
a, b = pair(64, 80, noise1)
out.append(f'SSIM_G1_PEAK255 = {sk_ssim(a * 255, b * 255, L=255.0)!r}')
for name, (h, w, noise) in {'M1': (200, 176, noise1), 'M2': (181, 163, noise2)}.items():
    a, b = pair(h, w, noise)
    out.append(f'MSSSIM_{name} = {ms_ssim(a, b)!r}')
for line in out:
    print(f'    static final double {line};')
