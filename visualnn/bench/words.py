"""Spoken-command-words benchmark set made offline with espeak-ng: :func:`make_set` writes ten
command words plus "background" as Speech Commands does, said by randomly drawn speakers (see
``README``); test speakers are never heard in training; a seed fixes every byte."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from visualnn.audio.wavio import write_wav

WORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
BACKGROUND = "background"
LABELS = (*WORDS, BACKGROUND)
ACCENTS = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp",
           "en-gb-x-gbcwmd", "en-029", "en-us-nyc")  # fmt: skip
NOISES = ("white", "pink", "brown", "hum", "room", "fan")
SR, ESPEAK_SR, MARKER = 16000, 22050, "visualnn bench-words"  # README.txt starts with MARKER
MISSING = "espeak-ng is not installed: sudo apt-get install espeak-ng"
# (vocal-tract scale of the formants, lowest pitch in Hz, share of the speakers)
KINDS = {"male": ((0.86, 1.02), (70, 130), 0.45), "female": ((1.02, 1.18), (145, 220), 0.45),
         "child": ((1.14, 1.28), (200, 290), 0.10)}  # fmt: skip
# Other ways of saying a word (espeak-ng phonemes): a speaker's habit, as in real accents.
SAY = {"yes": ["[[j'Ess]]", "[[j'Is]]"], "no": ["[[n'o:]]", "[[n'@U]]"], "up": ["[['@p]]"],
       "down": ["[[d'a#Un]]"], "left": ["[[l'Ef]]"], "right": ["[[r'aI?]]"], "on": ["[['O:n]]"],
       "off": ["[['A:f]]"], "stop": ["[[st'A:p]]"], "go": ["[[g'o:]]", "[[g'@U]]"]}  # fmt: skip
# Far-off talk under some speakers' clips: no command word nor a near-homophone in them.
BABBLE = ("the weather looks cloudy this morning; please pass me the butter and the bread; "
          "we visited my aunt last summer; the children are playing in the garden; this tea is "
          "much too hot to drink; I think the meeting starts at three; she bought a new bicycle "
          "last week; they were talking about the football match; my brother likes to read "
          "history books; the train was late again this evening; can you hear the birds singing "
          "outside; what time does the bakery close tonight").split("; ")  # fmt: skip
ENGLISH = ("phontab", "phonindex", "phondata", "intonations", "en_dict", "lang")
BABBLE_VOICES = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5")


class WordsError(Exception):
    """A plain-words reason the set cannot be made."""


def espeak_info() -> tuple[str, Path]:
    """espeak-ng's version and data folder (from ``espeak-ng --version``)."""
    try:
        out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        raise WordsError(MISSING) from None
    return out.split()[3], Path(out.split("Data at:")[-1].strip())


def draw_speaker(rng: np.random.Generator, split: str) -> dict:
    """One speaker's fixed settings (JSON-able): voice, habits, and recording set-up."""
    kind = str(rng.choice(list(KINDS), p=[k[2] for k in KINDS.values()]))
    tract, floor = (rng.uniform(*span) for span in KINDS[kind][:2])
    scale = [tract if 1 <= k <= 5 else 1.0 for k in range(9)]  # F1-F5 follow the tract
    formants = [[int(100 * s * rng.uniform(0.95, 1.05)), int(rng.uniform(75, 125)),
                 int(rng.uniform(80, 150))] for s in scale]  # fmt: skip
    voice = {"kind": kind, "pitch": [int(floor), int(floor * rng.uniform(1.3, 1.9))],
             "formants": formants, "flutter": int(rng.uniform(0, 30)),
             "roughness": int(rng.integers(0, 5)), "voicing": int(rng.uniform(60, 100)),
             "consonants": int(rng.uniform(80, 130)), "breath": int(rng.uniform(0, 12)),
             "klatt": int(rng.integers(1, 7)) if rng.random() < 0.2 else 0}  # fmt: skip
    say = {w: w if rng.random() < 0.6 else str(rng.choice(alt)) for w, alt in SAY.items()}
    return {"split": split, "accent": str(rng.choice(ACCENTS)), "voice": voice, "say": say,
            "speed": int(rng.uniform(130, 220)), "pitch": int(rng.uniform(30, 70)),
            "highpass": float(rng.uniform(60, 400)), "lowpass": float(rng.uniform(3000, 7800)),
            "rt60": float(rng.uniform(0.05, 0.7)), "wet": float(rng.uniform(0.0, 0.5)),
            "level_db": float(rng.uniform(-38, -16)),
            "snr_db": [float(rng.uniform(0, 10)), float(rng.uniform(15, 30))],
            "noises": [str(n) for n in rng.choice(NOISES, size=2, replace=False)],
            "babble": float(rng.uniform(0.2, 0.6)) if rng.random() < 0.5 else 0.0}  # fmt: skip


def variant_text(name: str, v: dict) -> str:
    """An espeak-ng voice-variant file for voice ``v`` (as espeak-ng's own ``voices/!v``)."""
    lines = [f"name {name}", f"gender {v['kind'].replace('child', 'female')}",
             "pitch {} {}".format(*v["pitch"]), f"flutter {v['flutter']}",
             f"roughness {v['roughness']}", f"voicing {v['voicing']}",
             f"consonants {v['consonants']}", "breath" + f" {v['breath']}" * 8]  # fmt: skip
    lines += [f"formant {k} {f} {h} {w}" for k, (f, h, w) in enumerate(v["formants"])]
    lines += [f"klatt {v['klatt']}"] if v["klatt"] else []
    return "language variant\n" + "\n".join(lines) + "\n"


def voice_dir(root: Path, sid: str, voice: dict, src: Path | None = None) -> Path:
    """An espeak-ng data folder (for ``--path root``) with speaker ``sid``'s voice variant:
    espeak-ng finds variants only in its data folder (``src``, the installed one), so English
    is linked in; one folder per speaker, as espeak-ng lists ~350 voices at most and silently
    ignores the rest (the stock set alone has 325)."""
    src, data = src or espeak_info()[1], root / "espeak-ng-data"
    (data / "voices" / "!v").mkdir(parents=True)
    for name in (*ENGLISH, *(f"voices/!v/{v}" for v in BABBLE_VOICES)):
        (data / name).symlink_to(src / name)
    (data / "voices" / "!v" / f"vnn{sid}").write_text(variant_text(f"vnn{sid}", voice))
    return root


def espeak(text: str, voice: str, speed: float, pitch: int, path: Path) -> np.ndarray:
    """espeak-ng's speech of ``text``, leading and trailing quiet cut, float64 at 16 kHz."""
    cmd = ["espeak-ng", "--path", str(path), "-v", voice, "-s", str(int(speed)),
           "-p", str(pitch), "--stdout", text]  # fmt: skip
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    body = raw[raw.find(b"data") + 8 :]  # --stdout leaves the header's lengths unset
    x = np.frombuffer(body[: len(body) // 2 * 2], dtype="<i2") / 32768.0
    n = len(x) // 220  # 10-ms frames: cut those 45 dB below the loudest, keep one each side
    rms = np.sqrt(np.mean(x[: n * 220].reshape(n, 220) ** 2, axis=1) + 1e-12)
    on = np.flatnonzero(rms > rms.max() * 10 ** (-45 / 20))
    x = x[max(on[0] - 1, 0) * 220 : (on[-1] + 2) * 220]
    x = x * np.minimum(1, np.minimum(np.arange(len(x)), np.arange(len(x))[::-1]) / 80)  # fades
    # To 16 kHz by FFT (the clips are short), dropping the top band; zero-padded, so that the
    # FFT's wrap-around finds silence at both ends, not a click.
    n_in, n_out = len(x) + 512, int(round((len(x) + 512) * SR / ESPEAK_SR))
    y = np.fft.irfft(np.fft.rfft(np.pad(x, 256))[: n_out // 2 + 1], n_out) * (n_out / n_in)
    return y[186:-186]


def speak(word: str, sid: str, spk: dict, rng: np.random.Generator, path: Path) -> np.ndarray:
    """``word`` in speaker ``sid``'s voice and habit, rate and pitch jittered, at 16 kHz;
    said faster again if longer than 0.9 s, so that it fits inside the clip."""
    text = spk["say"][word] + str(rng.choice([".", "!", "?", ","]))  # intonation varies
    speed = spk["speed"] * rng.uniform(0.8, 1.2)
    pitch = int(np.clip(spk["pitch"] + rng.uniform(-15, 15), 0, 99))
    for _ in range(5):
        x = espeak(text, f"{spk['accent']}+vnn{sid}", speed, pitch, path)
        if len(x) <= 0.9 * SR:
            return x
        speed *= 1.3
    return x[: int(0.9 * SR)]


def babble(rng: np.random.Generator, path: Path) -> np.ndarray:
    """A few seconds of other people talking (stock voices, no command words)."""
    text = ". ".join(rng.choice(BABBLE, size=3, replace=False))
    voice = f"{rng.choice(ACCENTS)}+{rng.choice(BABBLE_VOICES)}"
    return espeak(text, voice, rng.uniform(140, 200), int(rng.integers(20, 80)), path)


def noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples of unit-RMS background noise of ``kind`` (one of ``NOISES``)."""
    f = np.fft.rfftfreq(n, 1 / SR)
    f[0], t = f[1], np.arange(n) / SR
    if kind == "hum":  # mains hum: 50 or 60 Hz and decaying harmonics over a faint hiss
        f0 = rng.choice([50.0, 60.0]) * rng.uniform(0.995, 1.005)
        y = sum(rng.uniform(0.2, 1) / h * np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 6.3))
                for h in range(1, 9)) + 0.03 * rng.normal(size=n)  # fmt: skip
        return y / np.sqrt(np.mean(y**2))
    slope = {"white": 0.0, "pink": 0.5, "brown": 1.0, "room": 0.5, "fan": 0.3}[kind]
    shape = (f / 100.0) ** -slope * (f > 20)
    if kind == "room":  # a quiet room: a low rumble, little above a kilohertz
        shape /= np.sqrt(1 + (f / rng.uniform(400, 1500)) ** 4)
    if kind == "fan":  # a blower: a broad band around its blade rate, gently pulsing
        shape *= np.exp(-0.5 * (np.log(f / rng.uniform(200, 1200)) / 0.8) ** 2)
    y = np.fft.irfft(np.fft.rfft(rng.normal(size=n)) * shape, n)
    if kind == "fan":
        y *= 1 + 0.3 * np.sin(2 * np.pi * rng.uniform(4, 25) * t)
    return y / (np.sqrt(np.mean(y**2)) + 1e-12)


def record(x: np.ndarray, spk: dict, rng: np.random.Generator) -> np.ndarray:
    """The speaker's room and microphone: exponential-decay reverb, then a band-pass."""
    n_ir = max(int(spk["rt60"] * SR), 1)
    ir = rng.normal(size=n_ir) * np.exp(-6.9 * np.arange(n_ir) / n_ir)
    ir *= spk["wet"] * rng.uniform(0.5, 1.5) / np.sqrt(np.sum(ir**2))  # distance varies
    ir[0] = 1.0  # the direct sound
    n = len(x) + n_ir
    f = np.fft.rfftfreq(n, 1 / SR) + 1e-3
    band = 1 / np.sqrt((1 + (spk["highpass"] / f) ** 4) * (1 + (f / spk["lowpass"]) ** 4))
    return np.fft.irfft(np.fft.rfft(x, n) * np.fft.rfft(ir, n) * band, n)


def _transient(n: int, rng: np.random.Generator) -> np.ndarray:
    """A click, a thump or a breath at a random place, peak 1: the bumps of a quiet room."""
    kind, at = int(rng.integers(3)), int(rng.integers(0, n))
    size = int(SR * (0.004, 0.04, 0.3)[kind] * rng.uniform(0.5, 1.5))
    burst = rng.normal(size=size) * np.exp(-np.arange(size) / (size / (4, 3, 1)[kind]))
    burst = np.convolve(burst, np.ones((1, 8, 3)[kind]), "same")  # thumps, breaths are dull
    y = np.zeros(n)
    y[at : at + size] = burst[: n - at]
    return y / (np.abs(y).max() + 1e-12)


def noise_floor(n, spk, level_db, rng, talk=None, p_talk=None) -> np.ndarray:
    """The speaker's background under speech at ``level_db`` dBFS RMS: one of their noises at
    an SNR from their range, at times far-off ``talk`` (chance ``p_talk``, default: the
    speaker's), a click, a thump or a breath."""
    snr = rng.uniform(*spk["snr_db"])
    y = noise(str(rng.choice(spk["noises"])), n, rng) * 10 ** ((level_db - snr) / 20)
    if talk is not None and rng.random() < (spk["babble"] if p_talk is None else p_talk):
        seg = np.roll(np.resize(talk, max(n, len(talk))), -int(rng.integers(len(talk))))[:n]
        y += seg * 10 ** ((level_db - rng.uniform(10, 25)) / 20) / np.sqrt(np.mean(talk**2))
    if rng.random() < 0.2:
        y += _transient(n, rng) * 10 ** ((level_db - rng.uniform(5, 30)) / 20)
    return y


def word_clip(word: np.ndarray, spk: dict, rng: np.random.Generator, talk=None) -> np.ndarray:
    """One second: the recorded word at a random onset (fully inside) over the background."""
    wet = record(word, spk, rng)
    onset = int(rng.integers(int(0.01 * SR), max(SR - len(word) - int(0.01 * SR), 200)))
    level_db = spk["level_db"] + rng.uniform(-6, 6)
    wet *= 10 ** (level_db / 20) / (np.sqrt(np.mean(wet[: len(word)] ** 2)) + 1e-12)
    # (a reverb tail that runs past the end is cut there)
    return np.pad(wet, (onset, SR))[:SR] + noise_floor(SR, spk, level_db, rng, talk)


def background_clip(spk: dict, rng: np.random.Generator, talk=None) -> np.ndarray:
    """One second without a word: the speaker's background, at times much quieter or louder,
    with far-off talk in 40 % (whoever the speaker): talk alone must not count as a word."""
    level_db = spk["level_db"] + rng.uniform(-6, 6) + rng.choice([0, -20, 10], p=[0.7, 0.15, 0.15])
    return noise_floor(SR, spk, level_db, rng, talk, 0.4) + rng.normal(0, 3e-5, SR)  # dither


def _speaker_clips(job: tuple) -> list[str]:
    """Write every clip of one speaker; returns their paths relative to the set's folder."""
    out, src, seed, index, sid, spk, clips = job
    paths, says = [], [(LABELS.index(label), label) for label in spk["labels"]]
    with tempfile.TemporaryDirectory(prefix="vnn-espeak-") as tmp:
        vdir = voice_dir(Path(tmp), sid, spk["voice"], src)
        talk = babble(np.random.default_rng([seed, index, 99]), vdir)
        for (li, label), k in itertools.product(says, range(clips)):
            rng = np.random.default_rng([seed, index, li, k])  # any order of jobs: same clip
            word = None if label == BACKGROUND else speak(label, sid, spk, rng, vdir)
            y = background_clip(spk, rng, talk) if word is None else word_clip(word, spk, rng, talk)
            paths.append(f"{label}/{sid}_nohash_{k}.wav")
            write_wav(out / paths[-1], np.clip(y, -1, 1), SR)
    return paths


def draw_speakers(seed: int, n: int, test_share=0.25, per_speaker=11) -> dict[str, dict]:
    """``n`` speakers keyed by a unique 8-hex id, ``round(test_share * n)`` of them test.

    Within each split, speakers take ``per_speaker`` labels in turn (with 3: yes no up, down
    left right, ...), so that every label gets as many speakers."""
    rng = np.random.default_rng(seed)
    test = set(rng.permutation(n)[: min(int(round(test_share * n)), n - 1)].tolist())
    speakers, turn = {}, {"train": 0, "test": 0}
    for i, key in enumerate(rng.choice(16**8, size=n, replace=False)):
        split = "test" if i in test else "train"
        speakers[f"{key:08x}"] = spk = draw_speaker(rng, split)
        spk["labels"] = [LABELS[(turn[split] + j) % len(LABELS)] for j in range(per_speaker)]
        turn[split] += per_speaker
    return speakers


def _prepare(out: Path) -> None:
    """Make ``out`` an empty set folder, refusing a non-empty folder that is not a set."""
    if out.exists() and any(out.iterdir()):
        readme = out / "README.txt"
        if not (readme.is_file() and readme.read_text(errors="replace").startswith(MARKER)):
            raise WordsError(f"{out} is not empty and holds no bench-words set; choose another")
        for path in (out / n for n in (*LABELS, "testing_list.txt", "speakers.json", "README.txt")):
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    for label in LABELS:
        (out / label).mkdir(parents=True, exist_ok=True)


README = """{marker} set: spoken command words made offline with espeak-ng {version} by
'visualnn bench-words make DIR --seed {seed} --speakers {n} --labels {per} --clips {clips}'.
Labels: {labels}. Layout as Speech Commands: <label>/<speaker>_nohash_<k>.wav, 16 kHz mono
16-bit, 1 s. testing_list.txt: {test} test clips by {n_test} speakers never heard in the
{train} training clips by {n_train} others. Each speaker says {per} labels in turn, {clips}
time(s) each; speakers.json has their settings: accent, voice variant (pitch, vocal-tract
length, formants, breath, flutter, roughness, voicing, Klatt), habits, rate, room, microphone,
level, noises (of {noises}), SNR range, far-off talk. Clips jitter rate, pitch, intonation,
onset (the word is fully inside), level, distance and SNR; some carry a click or breath, and
background clips (no command word) far-off talk in 40 %.
"""


def make_set(out, seed=0, speakers=170, per_speaker=11, clips=1, test_share=0.25, jobs=2):
    """Write the set into folder ``out`` (new, empty, or an earlier set, which is replaced):
    ``speakers`` speakers, ``round(test_share * speakers)`` of them test, each saying
    ``per_speaker`` labels ``clips`` times; ``jobs`` speakers at once. Returns a summary."""
    t0, out = time.perf_counter(), Path(out)
    if min(speakers, clips, jobs) < 1 or not 0 <= test_share < 1 or not 0 < per_speaker <= 11:
        raise WordsError("speakers, clips, jobs >= 1; labels from 1 to 11; test_share in [0, 1)")
    spk = draw_speakers(seed, speakers, test_share, per_speaker)
    version, src = espeak_info()  # before any file is written: says if espeak-ng is missing
    _prepare(out)
    work = [(out, src, seed, i, s, v, clips) for i, (s, v) in enumerate(spk.items())]
    with ThreadPoolExecutor(jobs) as pool:
        paths = dict(zip(spk, pool.map(_speaker_clips, work), strict=True))
    test = sorted(p for s, ps in paths.items() if spk[s]["split"] == "test" for p in ps)
    (out / "testing_list.txt").write_text("\n".join(test) + "\n")
    (out / "speakers.json").write_text(json.dumps(spk, indent=1))
    n_test = sum(v["split"] == "test" for v in spk.values())
    n_train, train = speakers - n_test, sum(map(len, paths.values())) - len(test)
    info = {"seed": seed, "n": speakers, "clips": clips, "n_test": n_test, "test": len(test),
            "n_train": n_train, "train": train, "per": per_speaker}  # fmt: skip
    names = {"labels": ", ".join(LABELS), "noises": ", ".join(NOISES), "marker": MARKER}
    (out / "README.txt").write_text(README.format(version=version, **info, **names))
    return {**info, "dir": str(out), "seconds": round(time.perf_counter() - t0, 1)}
