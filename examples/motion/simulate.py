"""A simulated 3-axis accelerometer: 2 s windows at 62.5 Hz, in m/s², three kinds of motion.

- ``idle``: the device rests on one of its six faces, tilted a few degrees, with sensor
  noise, a slow drift and now and then a small knock;
- ``freefall``: it rests, falls for 0.2-0.5 s (the accelerometer reads near zero), hits
  the ground (a spike of 2-8 g that rings down in a few samples), and rests again, often
  on another face;
- ``movement``: walking or running (steps at 1.4-3 Hz), shaking (4-9 Hz), turning (gravity
  moves from axis to axis) or being carried and waved, alone or mixed.

Every window is 125 samples of x, y, z. The sensor adds Gaussian noise of 0.02-0.15 m/s²,
a gain error of up to 3 % and an offset of up to 0.3 m/s² per axis, and clips at ±16 g.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

RATE = 62.5  # Hz
SAMPLES = 125  # 2 s
G = 9.81
LABELS = ("freefall", "idle", "movement")
_T = np.arange(SAMPLES) / RATE


def _rotation(rng: np.random.Generator, degrees: float) -> np.ndarray:
    """A random rotation of at most ``degrees`` about a random axis."""
    axis = rng.normal(size=3)
    axis /= np.linalg.norm(axis)
    angle = np.radians(rng.uniform(0, degrees))
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k


def _face(rng: np.random.Generator) -> np.ndarray:
    """Gravity as the sensor reads it at rest on a random face, slightly tilted."""
    down = np.zeros(3)
    down[rng.integers(3)] = rng.choice((-1.0, 1.0)) * G
    return _rotation(rng, 12) @ down


def _sensor(rng: np.random.Generator, acc: np.ndarray) -> np.ndarray:
    """What the sensor reports for the true acceleration ``acc`` (samples x 3)."""
    gain = 1 + rng.uniform(-0.03, 0.03, 3)
    offset = rng.uniform(-0.3, 0.3, 3)
    noise = rng.normal(0, rng.uniform(0.02, 0.15), acc.shape)
    return np.clip(acc * gain + offset + noise, -16 * G, 16 * G)


def idle(rng: np.random.Generator) -> np.ndarray:
    acc = np.tile(_face(rng), (SAMPLES, 1))
    acc += np.outer(_T, rng.normal(0, 0.05, 3))  # slow drift
    if rng.random() < 0.3:  # a small knock on the table
        at = rng.integers(SAMPLES - 4)
        acc[at : at + 3] += rng.normal(0, rng.uniform(0.5, 2.5), (3, 3))
    return _sensor(rng, acc)


def freefall(rng: np.random.Generator) -> np.ndarray:
    before, after = _face(rng), _face(rng) if rng.random() < 0.7 else None
    fall = int(rng.uniform(0.2, 0.5) * RATE)
    start = rng.integers(5, SAMPLES - fall - 25)
    acc = np.tile(before, (SAMPLES, 1))
    # Falling: near zero, maybe with some tumbling (a little centripetal acceleration).
    acc[start : start + fall] = rng.normal(0, rng.uniform(0.05, 0.8), (fall, 3))
    impact = start + fall
    rest = after if after is not None else before
    acc[impact:] = rest
    direction = -rest / np.linalg.norm(rest) + rng.normal(0, 0.4, 3)
    peak = rng.uniform(2, 8) * G
    ring = rng.integers(3, 8)
    decay = np.exp(-np.arange(ring) / rng.uniform(0.8, 2.5))
    sign = np.where(np.arange(ring) % 2 == 0, 1.0, -rng.uniform(0.2, 0.6))
    acc[impact : impact + ring] += np.outer(peak * decay * sign, direction)[: SAMPLES - impact]
    return _sensor(rng, acc)


def _walking(rng: np.random.Generator) -> np.ndarray:
    step = rng.uniform(1.4, 3.0)
    phase = rng.uniform(0, 2 * np.pi)
    strength = rng.uniform(1.5, 6.0)
    vertical = strength * (np.sin(2 * np.pi * step * _T + phase)
                           + 0.4 * np.sin(4 * np.pi * step * _T + 2 * phase))
    sway = 0.4 * strength * np.sin(np.pi * step * _T + phase)
    up = _face(rng)
    side = np.cross(up, rng.normal(size=3))
    side /= np.linalg.norm(side)
    return np.tile(up, (SAMPLES, 1)) + np.outer(vertical, up / G) + np.outer(sway, side)


def _shaking(rng: np.random.Generator) -> np.ndarray:
    rate = rng.uniform(4, 9)
    axis = rng.normal(size=3)
    axis /= np.linalg.norm(axis)
    amplitude = rng.uniform(3, 25)
    wobble = 1 + 0.3 * np.sin(2 * np.pi * rng.uniform(0.3, 1) * _T)
    shake = amplitude * wobble * np.sin(2 * np.pi * rate * _T + rng.uniform(0, 2 * np.pi))
    return np.tile(_face(rng), (SAMPLES, 1)) + np.outer(shake, axis)


def _turning(rng: np.random.Generator) -> np.ndarray:
    """Gravity swings from one axis to another: the device is turned over or rotated."""
    start, end = _face(rng), _face(rng)
    if np.allclose(start, end, atol=3):
        end = -start
    s = np.clip((_T - rng.uniform(0, 0.6)) / rng.uniform(0.5, 1.4), 0, 1)
    s = s * s * (3 - 2 * s)  # smooth start and stop
    g = (1 - s)[:, None] * start + s[:, None] * end
    g *= G / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-3)
    jitter = np.cumsum(rng.normal(0, 0.3, (SAMPLES, 3)), axis=0) * 0.1
    return g + jitter


def _waving(rng: np.random.Generator) -> np.ndarray:
    """Carried in a hand that waves or gestures: slow large swings on all axes."""
    g = np.tile(_face(rng), (SAMPLES, 1))
    for _ in range(rng.integers(1, 4)):
        rate = rng.uniform(0.5, 3)
        g += np.outer(rng.uniform(1, 6) * np.sin(2 * np.pi * rate * _T + rng.uniform(0, 6)),
                      rng.normal(size=3))
    return g


_MOVES: tuple[Callable[[np.random.Generator], np.ndarray], ...] = (
    _walking, _shaking, _turning, _waving)


def movement(rng: np.random.Generator) -> np.ndarray:
    first = _MOVES[rng.integers(len(_MOVES))](rng)
    if rng.random() < 0.3:  # two motions, one after the other
        second = _MOVES[rng.integers(len(_MOVES))](rng)
        cut = rng.integers(30, SAMPLES - 30)
        first[cut:] = second[cut:]
    return _sensor(rng, first)


MAKERS = {"freefall": freefall, "idle": idle, "movement": movement}


def dataset(per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``per_class`` windows of each label: (windows, 125, 3) float32 and label indices."""
    rng = np.random.default_rng(seed)
    windows, labels = [], []
    for index, label in enumerate(LABELS):
        for _ in range(per_class):
            windows.append(MAKERS[label](rng))
            labels.append(index)
    return np.array(windows, np.float32), np.array(labels)


def write_csv(path: str, window: np.ndarray) -> None:
    """A window as the classify program reads it: a header, then x, y, z per row."""
    rows = "".join(f"{x:.4f},{y:.4f},{z:.4f}\n" for x, y, z in window)
    with open(path, "w") as f:
        f.write("x,y,z\n" + rows)
