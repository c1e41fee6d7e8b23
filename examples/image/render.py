"""Rendered 96 x 96 RGB pictures of fruit-like objects on varied backgrounds, numpy only.

- ``apple``: a round body with a dent at the top (two merged circles), red or green, a
  brown stem and often a leaf;
- ``banana``: a yellow crescent (a disc minus an offset disc) with brown tips, sometimes
  green-tinged;
- ``lemon``: a yellow oval with pointed ends and a fine pitted texture;
- ``orange``: an orange disc with a dimpled peel and a small navel;
- ``unknown``: the background alone or with other shapes (rectangles, triangles, rings,
  crosses, stars, bars) in any colour.

Shapes are signed distance fields; each pixel's coverage is its distance clipped to one
pixel (an anti-aliased edge). Every picture gets a random background (a solid colour, a
gradient, smooth noise, stripes or a checkerboard), position, scale, rotation, light
direction, a soft shadow, a global brightness and tint, blur and sensor noise. The same
seed gives the same pictures.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

SIZE = 96
LABELS = ("apple", "banana", "lemon", "orange", "unknown")
_GRID = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64) + 0.5  # (y, x) pixel centres
Image = np.ndarray  # float64 (SIZE, SIZE, 3) in [0, 1]


def _coverage(distance: np.ndarray) -> np.ndarray:
    """Anti-aliased coverage of a shape from its signed distance (pixels, < 0 inside)."""
    return np.clip(0.5 - distance, 0.0, 1.0)


def _frame(cx: float, cy: float, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates relative to (cx, cy), rotated by ``angle`` (radians)."""
    y, x = _GRID[0] - cy, _GRID[1] - cx
    c, s = np.cos(angle), np.sin(angle)
    return c * x + s * y, -s * x + c * y


def _ellipse(u: np.ndarray, v: np.ndarray, a: float, b: float) -> np.ndarray:
    """An approximate signed distance to the ellipse with half-axes a, b."""
    k = np.hypot(u / a, v / b)
    return (k - 1.0) * min(a, b)


def _box(u: np.ndarray, v: np.ndarray, a: float, b: float) -> np.ndarray:
    qx, qy = np.abs(u) - a, np.abs(v) - b
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    return outside + np.minimum(np.maximum(qx, qy), 0)


def _smooth_noise(rng: np.random.Generator, cells: int) -> np.ndarray:
    """Value noise in [0, 1]: a random grid of ``cells`` x ``cells`` bilinearly upsampled."""
    grid = rng.random((cells + 1, cells + 1))
    t = np.linspace(0, cells, SIZE, endpoint=False)
    i, f = t.astype(int), t - t.astype(int)
    f = f * f * (3 - 2 * f)
    rows = grid[i] * (1 - f)[:, None] + grid[i + 1] * f[:, None]
    return rows[:, i] * (1 - f)[None, :] + rows[:, i + 1] * f[None, :]


def _colour(rng: np.random.Generator, base: tuple[float, float, float], spread: float
            ) -> np.ndarray:
    return np.clip(np.array(base) + rng.uniform(-spread, spread, 3), 0, 1)


def background(rng: np.random.Generator) -> Image:
    a, b = rng.random(3), rng.random(3)
    kind = rng.integers(5)
    if kind == 0:  # solid
        t = np.zeros((SIZE, SIZE))
    elif kind == 1:  # linear gradient
        u, _ = _frame(SIZE / 2, SIZE / 2, rng.uniform(0, 2 * np.pi))
        t = np.clip(u / SIZE + 0.5, 0, 1)
    elif kind == 2:  # smooth noise, one or two octaves
        t = _smooth_noise(rng, int(rng.integers(2, 9)))
        if rng.random() < 0.5:
            t = 0.7 * t + 0.3 * _smooth_noise(rng, int(rng.integers(10, 24)))
    elif kind == 3:  # stripes
        u, _ = _frame(SIZE / 2, SIZE / 2, rng.uniform(0, np.pi))
        t = 0.5 + 0.5 * np.sin(2 * np.pi * u / rng.uniform(6, 30) + rng.uniform(0, 6.3))
        if rng.random() < 0.5:
            t = (t > 0.5).astype(np.float64)
    else:  # checkerboard
        u, v = _frame(SIZE / 2, SIZE / 2, rng.uniform(0, np.pi))
        period = rng.uniform(8, 32)
        t = ((np.floor(u / period) + np.floor(v / period)) % 2).astype(np.float64)
    return a * (1 - t[..., None]) + b * t[..., None]


def _shade(rng: np.random.Generator, u: np.ndarray, v: np.ndarray, radius: float,
           colour: np.ndarray) -> Image:
    """A lit body colour: darker away from a random light direction, a soft highlight."""
    light = rng.uniform(0, 2 * np.pi)
    lx, ly = np.cos(light), np.sin(light)
    d = (u * lx + v * ly) / radius
    shade = np.clip(0.85 + 0.35 * d, 0.35, 1.2)
    spot = np.exp(-((u - 0.45 * radius * lx) ** 2 + (v - 0.45 * radius * ly) ** 2)
                  / (2 * (0.25 * radius) ** 2))
    return np.clip(colour * shade[..., None] + 0.35 * rng.random() * spot[..., None], 0, 1)


def _paint(img: Image, alpha: np.ndarray, layer: Image | np.ndarray) -> Image:
    return img * (1 - alpha[..., None]) + layer * alpha[..., None]


def _shadow(img: Image, distance: np.ndarray, rng: np.random.Generator) -> Image:
    """A soft darkening around the shape (the distance field blurred by its own scale)."""
    strength = rng.uniform(0.0, 0.45)
    fall = np.clip(1 - np.maximum(distance, 0) / rng.uniform(3, 8), 0, 1)
    return img * (1 - strength * fall)[..., None]


def _placement(rng: np.random.Generator, lo: float, hi: float) -> tuple[float, float, float]:
    radius = rng.uniform(lo, hi)
    margin = 0.6 * radius
    cx, cy = (rng.uniform(margin, SIZE - margin) for _ in range(2))
    return cx, cy, radius


def apple(img: Image, rng: np.random.Generator) -> Image:
    cx, cy, r = _placement(rng, 17, 34)
    u, v = _frame(cx, cy, rng.uniform(-0.6, 0.6))
    lobe = r * rng.uniform(0.22, 0.35)
    d1 = _ellipse(u - lobe, v, r * 0.82, r * 0.9)
    d2 = _ellipse(u + lobe, v, r * 0.82, r * 0.9)
    body = np.minimum(d1, d2)
    body = body + r * 0.12 * np.exp(-(u ** 2 + (v + r * 0.95) ** 2) / (2 * (0.2 * r) ** 2))
    body = np.maximum(body, -(r * 0.9 + v + 0.12 * r))  # flattened top, where the stem sits
    kind = rng.integers(2)
    base = ((0.75, 0.08, 0.08), (0.35, 0.7, 0.15))[kind]
    colour = _colour(rng, base, 0.1)
    img = _shadow(img, body, rng)
    layer = _shade(rng, u, v, r, colour)
    if kind == 0 and rng.random() < 0.6:  # streaks of yellow-red
        streak = 0.5 + 0.5 * np.sin(u / r * rng.uniform(8, 16))
        layer = np.clip(layer + 0.15 * streak[..., None] * np.array([0.3, 0.3, 0]), 0, 1)
    img = _paint(img, _coverage(body), layer)
    stem = _box(u + r * 0.05 * np.clip(v / r + 1, 0, 2) ** 2, v + r * 1.0, r * 0.06, r * 0.22)
    img = _paint(img, _coverage(stem), _colour(rng, (0.35, 0.22, 0.1), 0.06))
    if rng.random() < 0.6:
        side = rng.choice((-1.0, 1.0))
        lu, lv = u - side * r * 0.28, v + r * 1.0
        c, s = np.cos(side * 0.6), np.sin(side * 0.6)
        leaf = _ellipse(c * lu + s * lv, -s * lu + c * lv, r * 0.28, r * 0.11)
        img = _paint(img, _coverage(leaf), _colour(rng, (0.2, 0.55, 0.12), 0.08))
    return img


def banana(img: Image, rng: np.random.Generator) -> Image:
    cx, cy, r = _placement(rng, 22, 38)
    u, v = _frame(cx, cy, rng.uniform(0, 2 * np.pi))
    outer = _ellipse(u, v, r, r * rng.uniform(0.85, 1.05))
    shift = r * rng.uniform(0.35, 0.55)
    inner = _ellipse(u, v - shift, r * rng.uniform(0.95, 1.1), r * 0.95)
    body = np.maximum(outer, -inner)
    body = np.maximum(body, v - r * 0.05 * rng.uniform(-1, 1) - shift * 0.2 - r * 0.7)
    colour = _colour(rng, (0.95, 0.82, 0.15), 0.07)
    if rng.random() < 0.3:
        colour = np.clip(colour + np.array([-0.25, 0.0, 0.0]), 0, 1)  # unripe, greener
    img = _shadow(img, body, rng)
    layer = _shade(rng, u, v, r, colour)
    tips = np.clip((np.abs(u) / r - 0.75) * 5, 0, 1)[..., None]
    layer = layer * (1 - tips) + np.array([0.3, 0.2, 0.08]) * tips
    if rng.random() < 0.4:  # brown spots
        spots = _smooth_noise(rng, 14) > rng.uniform(0.75, 0.9)
        layer[spots] = layer[spots] * 0.45
    return _paint(img, _coverage(body), layer)


def _pitted(rng: np.random.Generator, cells: int, depth: float) -> np.ndarray:
    return 1 - depth * (_smooth_noise(rng, cells) - 0.5)


def lemon(img: Image, rng: np.random.Generator) -> Image:
    cx, cy, r = _placement(rng, 16, 30)
    u, v = _frame(cx, cy, rng.uniform(0, 2 * np.pi))
    a = r * rng.uniform(1.25, 1.5)
    body = _ellipse(u, v, a, r * 0.95)
    for end in (-1.0, 1.0):  # the pointed ends
        tip = _ellipse(u - end * a * 0.92, v, r * 0.3, r * 0.2)
        body = np.minimum(body, tip)
    colour = _colour(rng, (0.98, 0.9, 0.2), 0.06)
    img = _shadow(img, body, rng)
    layer = _shade(rng, u, v, r, colour) * _pitted(rng, 40, 0.25)[..., None]
    return _paint(img, _coverage(body), np.clip(layer, 0, 1))


def orange(img: Image, rng: np.random.Generator) -> Image:
    cx, cy, r = _placement(rng, 16, 32)
    u, v = _frame(cx, cy, rng.uniform(0, 2 * np.pi))
    body = _ellipse(u, v, r, r * rng.uniform(0.92, 1.0))
    colour = _colour(rng, (0.98, 0.55, 0.08), 0.06)
    img = _shadow(img, body, rng)
    layer = _shade(rng, u, v, r, colour) * _pitted(rng, 30, 0.35)[..., None]
    img = _paint(img, _coverage(body), np.clip(layer, 0, 1))
    nu, nv = rng.uniform(-0.4, 0.4, 2) * r
    navel = _ellipse(u - nu, v - nv, r * 0.07, r * 0.07)
    return _paint(img, _coverage(navel) * 0.7, _colour(rng, (0.55, 0.4, 0.1), 0.05))


def _star(u: np.ndarray, v: np.ndarray, r: float, points: int) -> np.ndarray:
    angle = np.arctan2(v, u)
    reach = r * (0.6 + 0.4 * np.cos(points * angle))
    return (np.hypot(u, v) - reach) * 0.7


def _other(img: Image, rng: np.random.Generator) -> Image:
    cx, cy, r = _placement(rng, 8, 32)
    u, v = _frame(cx, cy, rng.uniform(0, 2 * np.pi))
    kind = rng.integers(6)
    if kind == 0:
        d = _box(u, v, r, r * rng.uniform(0.3, 1.0))
    elif kind == 1:  # triangle
        d = np.maximum.reduce([u * np.cos(t) + v * np.sin(t) - r * 0.5
                               for t in (np.pi / 2, np.pi / 2 + 2.094, np.pi / 2 + 4.189)])
    elif kind == 2:  # ring
        d = np.abs(np.hypot(u, v) - r * 0.8) - r * rng.uniform(0.08, 0.25)
    elif kind == 3:  # cross
        w = r * rng.uniform(0.15, 0.35)
        d = np.minimum(_box(u, v, r, w), _box(u, v, w, r))
    elif kind == 4:
        d = _star(u, v, r, int(rng.integers(4, 8)))
    else:  # a long bar
        d = _box(u, v, r * 1.6, r * rng.uniform(0.08, 0.2))
    img = _shadow(img, d, rng)
    layer = _shade(rng, u, v, r, rng.random(3))
    return _paint(img, _coverage(d), layer)


def unknown(img: Image, rng: np.random.Generator) -> Image:
    for _ in range(int(rng.choice(4, p=(0.3, 0.35, 0.2, 0.15)))):
        img = _other(img, rng)
    return img


DRAW = {"apple": apple, "banana": banana, "lemon": lemon, "orange": orange, "unknown": unknown}


def _blur(img: Image, rng: np.random.Generator) -> Image:
    sigma = rng.choice((0.0, rng.uniform(0.4, 1.6)), p=(0.4, 0.6))
    if sigma == 0:
        return img
    taps = np.arange(-3, 4)
    kernel = np.exp(-taps ** 2 / (2 * sigma ** 2))
    kernel /= kernel.sum()
    padded = np.pad(img, ((3, 3), (3, 3), (0, 0)), mode="edge")
    rows = sum(k * padded[3 + t : 3 + t + SIZE] for k, t in zip(kernel, taps, strict=True))
    return sum(k * rows[:, 3 + t : 3 + t + SIZE] for k, t in zip(kernel, taps, strict=True))


def render(label: str, rng: np.random.Generator) -> np.ndarray:
    """One picture of ``label``: uint8 (96, 96, 3) RGB."""
    img = DRAW[label](background(rng), rng)
    img = img * rng.uniform(0.55, 1.3) * _colour(rng, (1.0, 1.0, 1.0), 0.12)  # light
    img = _blur(img, rng)
    img = img + rng.normal(0, rng.uniform(0, 0.05), img.shape)  # sensor noise
    return np.clip(np.round(img * 255), 0, 255).astype(np.uint8)


def dataset(per_label: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``per_label`` pictures of each label: (N, 96, 96, 3) uint8 and their label indices,
    interleaved by label; picture i of label k depends only on (seed, k, i)."""
    images, labels = [], []
    for i in range(per_label):
        for k, label in enumerate(LABELS):
            images.append(render(label, np.random.default_rng([seed, k, i])))
            labels.append(k)
    return np.stack(images), np.array(labels)


def write_bmp(path: Path, rgb: np.ndarray) -> None:
    """A 24-bit bottom-up BMP of ``rgb`` (height, width, 3) uint8."""
    height, width, _ = rgb.shape
    stride = (3 * width + 3) // 4 * 4
    rows = np.zeros((height, stride), np.uint8)
    rows[:, : 3 * width] = rgb[::-1, :, ::-1].reshape(height, 3 * width)
    size = 54 + rows.size
    header = struct.pack("<2sIHHI", b"BM", size, 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, rows.size, 2835, 2835, 0, 0)
    path.write_bytes(header + info + rows.tobytes())


def write_ppm(path: Path, rgb: np.ndarray) -> None:
    """A binary PPM (P6) of ``rgb``: handy for looking at many pictures at once."""
    height, width, _ = rgb.shape
    path.write_bytes(f"P6 {width} {height} 255\n".encode() + rgb.astype(np.uint8).tobytes())


if __name__ == "__main__":  # a contact sheet: python render.py [FILE.ppm]
    import sys

    rows = [np.concatenate([render(label, np.random.default_rng([1, k, i])) for i in range(8)],
                           axis=1) for k, label in enumerate(LABELS)]
    write_ppm(Path(sys.argv[1] if len(sys.argv) > 1 else "sheet.ppm"), np.concatenate(rows))
