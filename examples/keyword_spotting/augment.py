"""One-second 16 kHz clips from clean synthesized words: what a microphone would hear.

A word clip is the word, resampled by a random factor (speed, pitch and formants
together, as a shorter or longer vocal tract), placed at a random time in the window,
band-limited as a cheap or distant microphone would, sometimes in a reverberant room
(a synthetic exponentially decaying impulse response), over background noise at a
random signal-to-noise ratio, at a random level, with a DC offset and a noise floor,
rounded to int16. A noise clip is background alone: coloured noise from white to
brown, mains hum, babble of several words far away, near-silence.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.signal

RATE = 16000
WINDOW = RATE  # one second


def resample(x: np.ndarray, factor: float) -> np.ndarray:
    """``x`` played ``factor`` times faster (pitch up by ``factor``, length down)."""
    down = max(1, round(40 * factor))
    return scipy.signal.resample_poly(x, 40, down)


def coloured_noise(rng: np.random.Generator, n: int, alpha: float) -> np.ndarray:
    """Noise with power spectrum ~ 1/f^alpha (0 white, 1 pink, 2 brown), unit RMS."""
    spectrum = rng.normal(size=n // 2 + 1) + 1j * rng.normal(size=n // 2 + 1)
    f = np.fft.rfftfreq(n, 1 / RATE)
    f[0] = f[1]
    x = np.fft.irfft(spectrum * f ** (-alpha / 2), n)
    return x / (x.std() + 1e-12)


def hum(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mains hum: 50 or 60 Hz and a few harmonics with random phases, unit RMS."""
    base = rng.choice((50.0, 60.0)) * rng.uniform(0.99, 1.01)
    t = np.arange(n) / RATE
    x = sum(
        rng.uniform(0.05, 1.0) / k * np.sin(2 * np.pi * base * k * t + rng.uniform(0, 6.3))
        for k in range(1, rng.integers(2, 9))
    )
    return x / (np.std(x) + 1e-12)


def babble(rng: np.random.Generator, n: int, words: Sequence[np.ndarray]) -> np.ndarray:
    """Several words at random times and levels, overlapping: a crowd far away."""
    x = np.zeros(n)
    for _ in range(rng.integers(4, 10)):
        w = words[rng.integers(len(words))]
        w = resample(w, rng.uniform(0.8, 1.25))[:n]
        start = rng.integers(-len(w) // 2, n - len(w) // 2)
        lo, hi = max(start, 0), min(start + len(w), n)
        x[lo:hi] += rng.uniform(0.3, 1.0) * w[lo - start : hi - start]
    return reverb(rng, x) / (x.std() + 1e-12)


def band_limit(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Random high-pass and low-pass (Butterworth), each with probability one half."""
    if rng.random() < 0.5:
        sos = scipy.signal.butter(2, rng.uniform(40, 400), "highpass", fs=RATE, output="sos")
        x = scipy.signal.sosfilt(sos, x)
    if rng.random() < 0.5:
        order = int(rng.integers(2, 7))
        cutoff = rng.uniform(3400, 7600)  # telephone band at the narrowest: /s/ survives
        x = scipy.signal.sosfilt(scipy.signal.butter(order, cutoff, fs=RATE, output="sos"), x)
    if rng.random() < 0.3:  # a resonance: a small enclosure or a cheap capsule
        b, a = scipy.signal.iirpeak(rng.uniform(300, 4000), rng.uniform(1, 5), fs=RATE)
        x = x + rng.uniform(0.3, 1.5) * scipy.signal.lfilter(b, a, x)
    return x


def reverb(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """``x`` in a room: direct sound plus an exponentially decaying noise tail."""
    rt60 = rng.uniform(0.08, 0.8)
    n = int(min(rt60, 0.5) * RATE)
    t = np.arange(n) / RATE
    tail = rng.normal(size=n) * np.exp(-6.9 * t / rt60)
    tail[: int(rng.uniform(0.002, 0.02) * RATE)] = 0  # first reflections arrive later
    ir = np.concatenate(([1.0], tail / np.sqrt(np.sum(tail**2) + 1e-12) * rng.uniform(0.2, 1.5)))
    return scipy.signal.fftconvolve(x, ir)[: len(x)]


def background(rng: np.random.Generator, n: int, words: Sequence[np.ndarray]) -> np.ndarray:
    """One kind of background at unit RMS, sometimes two mixed."""
    kinds = ("coloured", "coloured", "hum", "babble", "rumble")

    def one(kind: str) -> np.ndarray:
        if kind == "coloured":
            return band_limit(rng, coloured_noise(rng, n, rng.uniform(0.0, 2.5)))
        if kind == "hum":
            return hum(rng, n)
        if kind == "babble":
            return babble(rng, n, words)
        return coloured_noise(rng, n, rng.uniform(2.0, 3.5))  # rumble: wind, traffic, handling

    x = one(kinds[rng.integers(len(kinds))])
    if rng.random() < 0.3:
        x = x + rng.uniform(0.1, 1.0) * one(kinds[rng.integers(len(kinds))])
    return x / (x.std() + 1e-12)


def finish(rng: np.random.Generator, x: np.ndarray, peak: float) -> np.ndarray:
    """Scale ``x`` to ``peak`` (int16 units), add a DC offset and a noise floor of a few
    LSB, round and clip to int16 values (as floats)."""
    x = x / (np.abs(x).max() + 1e-12) * peak
    x = x + rng.normal(scale=rng.uniform(0.3, 4.0), size=len(x))
    if rng.random() < 0.5:
        x = x + rng.uniform(-150, 150)
    return np.clip(np.round(x), -32768, 32767)


def word_clip(
    rng: np.random.Generator, word: np.ndarray, babble_words: Sequence[np.ndarray]
) -> np.ndarray:
    """A one-second clip of ``word`` (16 kHz floats, peak 1) as a microphone hears it."""
    w = resample(word, rng.uniform(0.85, 1.2))
    if len(w) > WINDOW:  # keep the middle of a word longer than the window
        cut = (len(w) - WINDOW) // 2
        w = w[cut : cut + WINDOW]
    x = np.zeros(WINDOW)
    start = int(rng.integers(0, WINDOW - len(w) + 1))
    x[start : start + len(w)] = w * rng.uniform(0.5, 1.0)
    x = band_limit(rng, x)
    if rng.random() < 0.5:
        x = reverb(rng, x)
    if rng.random() < 0.75:
        speech_rms = np.sqrt(np.mean(x[start : start + len(w)] ** 2))  # while it speaks
        snr_db = rng.uniform(5, 40)
        x = x + background(rng, WINDOW, babble_words) * speech_rms / 10 ** (snr_db / 20)
    return finish(rng, x, rng.uniform(800, 32000))


def noise_clip(rng: np.random.Generator, babble_words: Sequence[np.ndarray]) -> np.ndarray:
    """A one-second clip without a word: background at a random level, or near-silence."""
    if rng.random() < 0.2:  # silence: a microphone's own noise floor, maybe a DC offset
        x = rng.normal(scale=rng.uniform(0.3, 12.0), size=WINDOW)
        if rng.random() < 0.5:
            x = band_limit(rng, x)
        if rng.random() < 0.5:
            x = x + rng.uniform(-150, 150)
        return np.clip(np.round(x), -32768, 32767)
    x = background(rng, WINDOW, babble_words)
    if rng.random() < 0.3:
        x = reverb(rng, x)
    return finish(rng, x, 10 ** rng.uniform(1.3, 4.4))
