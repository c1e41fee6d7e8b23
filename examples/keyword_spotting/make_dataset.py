"""Synthesize the keyword-spotting dataset: clips, labels and MFCC features, in .cache/.

    .venv/bin/python examples/keyword_spotting/make_dataset.py [--jobs 2] [--force]

1. Every voice of espeak-ng, flite and festival says "yes", "no" and other words
   (``synth.py``); the clean words are cached in ``.cache/words.npz``.
2. Each word becomes several one-second clips as a microphone would hear them, and
   background alone becomes ``noise`` clips (``augment.py``).
3. Features are tinygen's MFCC block with its defaults (50 frames x 13 coefficients),
   computed by its float64 numpy reference: the numbers the generated C computes.

Voices in ``synth.TEST_VOICES`` make the test set only. Writes ``.cache/dataset.npz``
(x_train, y_train, x_test, y_test, the test clips' int16 audio and voices). Fixed seed:
the same dataset on every run.
"""

from __future__ import annotations

import argparse
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import augment  # noqa: E402
import synth  # noqa: E402

from tinygen.dsp import mfcc as mfcc_block  # noqa: E402
from tinygen.reference.dsp.mfcc import mfcc  # noqa: E402

LABELS = ("noise", "no", "unknown", "yes")
CACHE = HERE / ".cache"
SEED = 20261201
MFCC_PARAMS = mfcc_block.parse_params({})  # the block's defaults, as impulse.json has them

#: Clips made from each word, by engine (the natural-sounding diphone voices of flite and
#: festival count more) and split.
CLIPS_PER_KEYWORD = {"espeak": 3, "flite": 10, "festival": 10}
CLIPS_PER_UNKNOWN = {"espeak": 1, "flite": 3, "festival": 3}
TEST_CLIPS_PER_WORD = 2
NOISE_FRACTION = 0.22  # noise clips as a share of all clips

_words: list[synth.Utterance] = []
_babble: list[np.ndarray] = []


def features(clip: np.ndarray) -> np.ndarray:
    """The MFCC block's output for one window of int16 sample values: (50, 13) float32."""
    return mfcc(clip.astype(np.float64), MFCC_PARAMS, augment.RATE).astype(np.float32)


def label_of(word: str) -> int:
    return LABELS.index(word) if word in LABELS else LABELS.index("unknown")


def synthesize(jobs: int) -> list[synth.Utterance]:
    """Every voice's words, cached in .cache/words.npz."""
    path = CACHE / "words.npz"
    if path.exists():
        data = np.load(path, allow_pickle=True)
        return [
            synth.Utterance(str(w), str(v), a)
            for w, v, a in zip(data["word"], data["voice"], data["audio"], strict=True)
        ]
    missing = synth.missing_tools()
    if missing:
        sys.exit(f"error: {', '.join(missing)} not found; apt-get install {synth.PACKAGES}")
    plan = synth.voice_jobs(SEED)
    words: list[synth.Utterance] = []
    start = time.time()
    with Pool(jobs) as pool:
        for i, got in enumerate(pool.imap_unordered(synth.run_job, plan), 1):
            words += got
            progress(f"synthesizing: voice {i}/{len(plan)}, {len(words)} words", start)
    print()
    words.sort(key=lambda u: (u.voice, u.word, len(u.audio)))
    audio = np.empty(len(words), dtype=object)
    audio[:] = [u.audio.astype(np.float32) for u in words]
    CACHE.mkdir(exist_ok=True)
    np.savez(path, word=[u.word for u in words], voice=[u.voice for u in words], audio=audio)
    return words


def progress(text: str, start: float) -> None:
    print(f"\r{text} ({time.time() - start:.0f} s)", end="", flush=True)


def init_worker(words: list[synth.Utterance], babble: list[np.ndarray]) -> None:
    global _words, _babble
    _words, _babble = words, babble


def make_clips(batch: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Clips and features of (word index or -1 for noise, seed) jobs."""
    clips, feats = [], []
    for index, seed in batch:
        rng = np.random.default_rng(seed)
        if index < 0:
            clip = augment.noise_clip(rng, _babble)
        else:
            clip = augment.word_clip(rng, _words[index].audio.astype(np.float64), _babble)
        clips.append(clip.astype(np.int16))
        feats.append(features(clip))
    return np.stack(clips), np.stack(feats)


def clip_plan(words: list[synth.Utterance], test: bool, rng: np.random.Generator) -> list[int]:
    """Word indices (repeated once per clip) and -1 for each noise clip of one split."""
    plan: list[int] = []
    for i, u in enumerate(words):
        if (u.voice in synth.TEST_VOICES) != test:
            continue
        engine = u.voice.split(":")[0]
        if test:
            count = TEST_CLIPS_PER_WORD if u.word in ("yes", "no") else 1
        elif u.word in ("yes", "no"):
            count = CLIPS_PER_KEYWORD[engine]
        else:
            count = CLIPS_PER_UNKNOWN[engine]
        plan += [i] * count
    noise = round(len(plan) * NOISE_FRACTION / (1 - NOISE_FRACTION))
    plan += [-1] * noise
    return [plan[i] for i in rng.permutation(len(plan))]


def build(words: list[synth.Utterance], jobs: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)
    train_babble = [
        u.audio for u in words if u.voice not in synth.TEST_VOICES and label_of(u.word) == 2
    ]
    out: dict[str, np.ndarray] = {}
    for split in ("train", "test"):
        plan = clip_plan(words, split == "test", rng)
        seeds = rng.integers(0, 2**63, size=len(plan))
        jobs_list = list(zip(plan, seeds.tolist(), strict=True))
        batches = [jobs_list[i : i + 100] for i in range(0, len(jobs_list), 100)]
        clips, feats = [], []
        start = time.time()
        with Pool(jobs, initializer=init_worker, initargs=(words, train_babble)) as pool:
            for i, (c, f) in enumerate(pool.imap(make_clips, batches), 1):
                clips.append(c)
                feats.append(f)
                progress(f"{split}: {min(i * 100, len(plan))}/{len(plan)} clips", start)
        print()
        out[f"x_{split}"] = np.concatenate(feats)
        out[f"y_{split}"] = np.array([label_of(words[i].word) if i >= 0 else 0 for i in plan])
        if split == "test":
            out["audio_test"] = np.concatenate(clips)
            out["voice_test"] = np.array([words[i].voice if i >= 0 else "noise" for i in plan])
            out["word_test"] = np.array([words[i].word if i >= 0 else "noise" for i in plan])
    return out


def load_or_build(jobs: int = 2, force: bool = False) -> dict[str, np.ndarray]:
    """The dataset from .cache/dataset.npz, built first if it is missing (or ``force``)."""
    path = CACHE / "dataset.npz"
    if path.exists() and not force:
        return dict(np.load(path))
    start = time.time()
    words = synthesize(jobs)
    data = build(words, jobs)
    np.savez(path, **data)
    summary(words, data)
    print(f"dataset written to {path} in {time.time() - start:.0f} s")
    return data


def summary(words: list[synth.Utterance], data: dict[str, np.ndarray]) -> None:
    engines = sorted({u.voice.split(":")[0] for u in words})
    for engine in engines:
        voices = {u.voice for u in words if u.voice.startswith(engine)}
        count = sum(u.voice.startswith(engine) for u in words)
        print(f"  {engine}: {len(voices)} voices, {count} words")
    for split in ("train", "test"):
        counts = np.bincount(data[f"y_{split}"], minlength=len(LABELS))
        shares = ", ".join(f"{n} {lab}" for lab, n in zip(LABELS, counts, strict=True))
        print(f"  {split}: {shares}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--force", action="store_true", help="rebuild the clips and features")
    args = parser.parse_args()
    load_or_build(args.jobs, args.force)


if __name__ == "__main__":
    main()
