"""Fits the polynomial coefficients of engine/.../kernels/FastMath.java (exp and tanh in float FMA arithmetic).

Least squares on a dense grid, reweighted (Lawson's iteration) towards minimax of the *relative* error, in double;
then the coefficients are rounded to float32 as FastMath stores them. Prints each fit's max relative error before
and after that rounding. numpy only:  python3 tools/fit_fastmath.py
"""
import numpy as np


def lawson(A, target, scale, iters=80):
    """Coefficients c minimising max |scale * (A c - target)| (approximately)."""
    w = np.ones(len(target))
    for _ in range(iters):
        W = np.sqrt(w) * scale
        c, *_ = np.linalg.lstsq(A * W[:, None], target * W, rcond=None)
        err = np.abs(scale * (A @ c - target))
        w = w * err
        w /= w.sum()
    return c


def exp_fit(deg=4, half=0.3466):
    """exp(r) = 1 + r + r^2 * Q(r), Q of degree `deg`, on |r| <= ln2/2: Q(r) ~ (expm1(r) - r) / r^2."""
    r = np.linspace(-half, half, 20001)
    r = r[r != 0]
    target = (np.expm1(r) - r) / r ** 2
    scale = r ** 2 / np.exp(r)  # relative error of exp(r)
    A = np.vander(r, deg + 1, increasing=True)
    c = lawson(A, target, scale)
    return c, np.abs(scale * (A @ c - target)).max(), np.abs(scale * (A @ f32(c) - target)).max()


def tanh_fit(deg=5, top=0.75):
    """tanh(x) = x + x^3 * R(x^2), R of degree `deg`, on 0 < x <= top: R(u) ~ (tanh(x) - x) / x^3."""
    n = 8000
    x = np.concatenate([top * np.sqrt((1 - np.cos(np.pi * (np.arange(n) + 0.5) / n)) / 2), np.linspace(1e-4, top, n)])
    u = x * x
    target = (np.tanh(x) - x) / x ** 3
    scale = x ** 3 / np.tanh(x)  # relative error of tanh(x)
    A = np.vander(u, deg + 1, increasing=True)
    c = lawson(A, target, scale)
    return c, np.abs(scale * (A @ c - target)).max(), np.abs(scale * (A @ f32(c) - target)).max()


def f32(c):
    return np.float32(c).astype(np.float64)


if __name__ == "__main__":
    for name, (c, e, e32) in (("exp  E2..E6", exp_fit()), ("tanh T0..T5", tanh_fit())):
        print("%s  max rel error %.3g (float32 coefficients %.3g)" % (name, e, e32))
        print("   ", ", ".join("%.8gf" % v for v in np.float32(c)))
