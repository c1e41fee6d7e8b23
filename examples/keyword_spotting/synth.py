"""Spoken words from Debian's speech synthesizers, as float arrays at 16 kHz.

Three engines, each with its own voices:

- ``espeak-ng`` (formant synthesis): eight English accents times voice variants
  (``en-us+m3``, ``en-gb-scotland+f2``, ...), random speed and pitch;
- ``flite`` (CMU diphone and clustergen voices kal, kal16, awb, rms, slt), random
  duration stretch and mean pitch;
- ``festival`` (English diphone voices kal and ked, HTS voice slt; Czech, Italian and
  Finnish voices with respelled keywords), random duration stretch and pitch, several
  utterances per process.

Every utterance carries a voice id (``engine:voice[+variant]``): the train/test split is
made by voice, so the test set measures how the model hears voices it never heard.
Needs the Debian packages of ``PACKAGES``.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.io.wavfile
import scipy.signal

RATE = 16000

ESPEAK_ACCENTS = (
    "en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan",
    "en-gb-x-gbcwmd", "en-029", "en-us-nyc",
)  # fmt: skip
ESPEAK_VARIANTS = (
    "", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5",
    "male2", "male3", "male4", "male5", "male6", "male7", "female2", "female3", "female4",
    "female5", "Adam", "Alex", "Alicia", "Andrea", "Andy", "Annie", "Antonio", "Auntie",
    "Belinda", "Benjamin", "Boris", "Caleb", "David", "Denis", "Diogo", "Ed", "Edward",
    "Edward2", "Gene", "Gene2", "Gustave", "Henrique", "Hugo", "Iven", "Iven2", "Iven3",
    "Iven4", "Jacky", "John", "Kaukovalta", "Lee", "Linda", "Marcelo", "Marco", "Mario",
    "Max", "Michael", "Michel", "Miguel", "Mike", "Mr_Serious", "Nguyen", "Pablo", "Paul",
    "Pedro", "Quincy", "Rob", "Robert", "Steph", "Steph2", "Steph3", "Storm", "Tweaky",
    "Zac", "anika", "anxiousAndy", "grandma", "grandpa", "klatt", "klatt2", "klatt3",
    "klatt4", "klatt5", "klatt6", "norbert", "sandro", "shelby", "travis", "victor",
)  # fmt: skip
FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")
FESTIVAL_VOICES = {
    "kal": "voice_kal_diphone",
    "ked": "voice_ked_diphone",
    "slt": "voice_cmu_us_slt_arctic_hts",
    # Czech, Italian and Finnish speakers saying "yes" and "no" (spelled for their
    # letter-to-sound rules: FOREIGN_SPELLINGS) and English words with an accent:
    # more real voices than Debian's English ones.
    "czech_dita": "voice_czech_dita",
    "czech_krb": "voice_czech_krb",
    "czech_machac": "voice_czech_machac",
    "czech_ph": "voice_czech_ph",
    "it_lp": "voice_lp_diphone",
    "it_pc": "voice_pc_diphone",
    "fi_mv": "voice_hy_fi_mv_diphone",
    "fi_lj": "voice_suo_fi_lj_diphone",
}

#: Voices never trained on: the synthetic test set is made of these only.
TEST_VOICES = frozenset(
    {f"espeak:{a}+{v}" for a in ESPEAK_ACCENTS for v in ("m3", "f4", "klatt2", "Annie")}
    | {"flite:rms", "festival:ked"}
)

#: How each keyword may be written (punctuation changes the intonation).
SPELLINGS = {
    "yes": ("yes", "yes.", "Yes!", "yes?", "yes,", "Yess."),
    "no": ("no", "no.", "No!", "no?", "no,", "Noh."),
}
FOREIGN_SPELLINGS = {
    "yes": ("jes", "jes.", "Jes!", "jes?", "jess."),
    "no": ("no", "no.", "No!", "no?", "nou."),
}

#: Words of the ``unknown`` class: other commands and words that sound close to the
#: keywords. "know" is left out: it sounds exactly as "no"; so are "yep" and "nope", which
#: say the keyword whole before a lip closure.
UNKNOWN_WORDS = (
    "up", "down", "left", "right", "go", "stop", "on", "off", "one", "two", "three",
    "four", "five", "six", "seven", "eight", "nine", "zero", "wow", "bed", "bird",
    "cat", "dog", "happy", "house", "tree", "learn", "follow", "forward", "visual",
    "yet", "yeah", "yell", "guess", "less", "nose", "note", "now", "new",
    "snow", "low", "toe", "noon", "mess", "dress", "yellow", "sheila", "marvin",
)  # fmt: skip


@dataclass(frozen=True)
class Utterance:
    """One synthesized word: 16 kHz float samples in [-1, 1], peak-normalized."""

    word: str
    voice: str
    audio: np.ndarray


#: The Debian packages the synthesizers and voices come from.
PACKAGES = (
    "espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts "
    "festvox-czech-dita festvox-czech-krb festvox-czech-machac festvox-czech-ph "
    "festvox-italp16k festvox-itapc16k festvox-suopuhe-lj festvox-suopuhe-mv"
)
FESTIVAL_VOICE_DIR = Path("/usr/share/festival/voices")


def missing_tools() -> list[str]:
    """The synthesizer commands not on PATH and the festival voices not installed."""
    missing = [t for t in ("espeak-ng", "flite", "festival") if shutil.which(t) is None]
    for fn in FESTIVAL_VOICES.values():
        name = fn.removeprefix("voice_")
        if not any(FESTIVAL_VOICE_DIR.glob(f"*/{name}")):
            missing.append(f"festival voice {name}")
    return missing


def to_16k(rate: int, samples: np.ndarray) -> np.ndarray:
    """Mono float in [-1, 1] at 16 kHz (polyphase resampling), silence trimmed, peak 1."""
    x = samples.astype(np.float64)
    if x.ndim > 1:
        x = x.mean(axis=1)
    if samples.dtype == np.int16:
        x /= 32768.0
    if rate != RATE:
        g = np.gcd(rate, RATE)
        x = scipy.signal.resample_poly(x, RATE // g, rate // g)
    x -= x.mean()
    return trim(x)


def trim(x: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    """``x`` without leading and trailing samples below ``threshold`` of its peak,
    10 ms kept either side, scaled to peak 1 (empty input stays empty)."""
    peak = np.abs(x).max() if x.size else 0.0
    if peak == 0:
        return x[:0]
    loud = np.flatnonzero(np.abs(x) > threshold * peak)
    start, stop = max(loud[0] - 160, 0), min(loud[-1] + 160, len(x))
    return x[start:stop] / peak


def read_wav(path: Path) -> np.ndarray:
    rate, samples = scipy.io.wavfile.read(path)
    return to_16k(rate, samples)


def read_stream_wav(data: bytes) -> np.ndarray:
    """A 16-bit mono WAV written to a pipe (espeak-ng: its header's lengths are unset)."""
    rate = int.from_bytes(data[24:28], "little")
    body = data[44:]
    return to_16k(rate, np.frombuffer(body[: len(body) // 2 * 2], dtype="<i2"))


def espeak(text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    out = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    return read_stream_wav(out)


def flite(text: str, voice: str, stretch: float, f0: float, work: Path) -> np.ndarray:
    path = work / "flite.wav"
    subprocess.run(
        ["flite", "-voice", voice, "--setf", f"duration_stretch={stretch:.3f}",
         "--setf", f"int_f0_target_mean={f0:.1f}", "-t", text, "-o", str(path)],
        capture_output=True,
        check=True,
    )  # fmt: skip
    return read_wav(path)


def festival(
    voice_fn: str, jobs: list[tuple[str, float, float, float]], work: Path
) -> list[np.ndarray]:
    """Synthesize ``(text, duration stretch, f0 mean, f0 std)`` jobs in one festival
    process (the pitch applies to the diphone voices' linear-regression intonation)."""
    lines = [f"({voice_fn})"]
    for i, (text, stretch, f0, f0_std) in enumerate(jobs):
        quoted = text.replace("\\", "").replace('"', "")
        lines.append(f"(Parameter.set 'Duration_Stretch {stretch:.3f})")
        lines.append(
            f"(set! int_lr_params '((target_f0_mean {f0:.1f}) (target_f0_std {f0_std:.1f}) "
            "(model_f0_mean 170) (model_f0_std 34)))"
        )
        lines.append(f'(utt.save.wave (utt.synth (Utterance Text "{quoted}")) "{work}/f{i}.wav")')
    script = work / "job.scm"
    script.write_text("\n".join(lines) + "\n")
    subprocess.run(["festival", "-b", str(script)], capture_output=True, check=True)
    return [read_wav(work / f"f{i}.wav") for i in range(len(jobs))]


def festival_chunks(
    voice_fn: str, jobs: list[tuple[str, float, float, float]], work: Path, chunk: int = 20
) -> list[np.ndarray]:
    """:func:`festival` on chunks of ``jobs``; festival 2.5 sometimes aborts (heap
    corruption) on a sentence, so a failed chunk is redone one job at a time, and a job
    that fails alone gives an empty array."""
    out: list[np.ndarray] = []
    for start in range(0, len(jobs), chunk):
        part = jobs[start : start + chunk]
        try:
            out += festival(voice_fn, part, work)
        except subprocess.CalledProcessError:
            for job in part:
                try:
                    out += festival(voice_fn, [job], work)
                except subprocess.CalledProcessError:
                    out.append(np.zeros(0))
    return out


def word_plan(
    rng: random.Random, keyword_takes: int, unknown_takes: int, spellings: dict = SPELLINGS
) -> list[tuple[str, str]]:
    """(word, text) pairs for one voice: each keyword ``keyword_takes`` times and
    ``unknown_takes`` unknown words drawn without replacement (at most all of them)."""
    plan = [(w, rng.choice(spellings[w])) for w in ("yes", "no") for _ in range(keyword_takes)]
    for word in rng.sample(UNKNOWN_WORDS, min(unknown_takes, len(UNKNOWN_WORDS))):
        plan.append((word, rng.choice((word, word + ".", word.capitalize() + "!"))))
    return plan


def espeak_voice(accent: str, variant: str, seed: int) -> list[Utterance]:
    """One espeak-ng accent+variant: 2 takes of each keyword, 6 unknown words."""
    rng = random.Random(seed)
    voice = f"{accent}+{variant}" if variant else accent
    out = []
    for word, text in word_plan(rng, 2, 6):
        audio = espeak(text, voice, rng.randint(110, 230), rng.randint(15, 85))
        if audio.size:
            out.append(Utterance(word, f"espeak:{accent}+{variant or 'default'}", audio))
    return out


def flite_voice(voice: str, seed: int) -> list[Utterance]:
    """One flite voice: 40 takes of each keyword, all unknown words twice."""
    rng = random.Random(seed)
    base_f0 = {"slt": 180.0}.get(voice, 110.0)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        plan = word_plan(rng, 40, 50) + word_plan(rng, 0, 50)
        for word, text in plan:
            stretch = rng.uniform(0.75, 1.45)
            f0 = base_f0 * rng.uniform(0.75, 1.35)
            audio = flite(text, voice, stretch, f0, Path(tmp))
            if audio.size:
                out.append(Utterance(word, f"flite:{voice}", audio))
    return out


def festival_voice(voice: str, seed: int) -> list[Utterance]:
    """One festival voice: 40 takes of each keyword (24 for a foreign voice), all unknown
    words twice, random
    duration stretch and (diphone voices) random pitch mean and range."""
    rng = random.Random(seed)
    english = voice in ("kal", "ked", "slt")
    spellings = SPELLINGS if english else FOREIGN_SPELLINGS
    plan = word_plan(rng, 40 if english else 24, 50, spellings) + word_plan(rng, 0, 50)
    jobs = [
        (text, rng.uniform(0.8, 1.4), rng.uniform(70, 190), rng.uniform(4, 40)) for _, text in plan
    ]
    with tempfile.TemporaryDirectory() as tmp:
        audios = festival_chunks(FESTIVAL_VOICES[voice], jobs, Path(tmp))
    pairs = zip(plan, audios, strict=True)
    return [Utterance(word, f"festival:{voice}", a) for (word, _), a in pairs if a.size]


def voice_jobs(seed: int) -> list[tuple[str, tuple]]:
    """Every synthesis job: (function name, arguments), each with its own seed."""
    jobs: list[tuple[str, tuple]] = []
    for a in ESPEAK_ACCENTS:
        for v in ESPEAK_VARIANTS:
            jobs.append(("espeak", (a, v, seed + len(jobs))))
    for v in FLITE_VOICES:
        jobs.append(("flite", (v, seed + len(jobs))))
    for v in FESTIVAL_VOICES:
        jobs.append(("festival", (v, seed + len(jobs))))
    return jobs


def run_job(job: tuple[str, tuple]) -> list[Utterance]:
    kind, args = job
    fn = {"espeak": espeak_voice, "flite": flite_voice, "festival": festival_voice}[kind]
    return fn(*args)
