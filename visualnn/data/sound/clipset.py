"""Labelled sound clips, all at one rate and one length, from wherever they come.

A :class:`SoundClips` holds the audio a sound data set is made from: the built-in demo
sounds, the classes recorded in the window (a :class:`visualnn.audio.clips.ClipStore`) or a
folder of WAV files in the Speech Commands layout (``DIR/<label>/*.wav``). Any rate, bit
depth or channel count is converted; a file that cannot be used is listed with its reason
and skipped, never fatal. The clips travel inside a project file (:meth:`to_bytes`), so a
project opens and retrains on another machine.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from visualnn.audio.base import AudioError
from visualnn.audio.resample import resample
from visualnn.audio.wavio import read_wav, to_mono
from visualnn.data.sound.features import fit_length
from visualnn.engine.errors import SpecError

MAX_CLIP_SECONDS = 10.0  # longer files are recordings, not clips: cut them first
MIN_CLIP_SECONDS = 0.05
MAX_CLIPS = 100_000
BACKGROUND = "background"
#: Speech Commands' folder of long noise recordings, cut into clips of the background class.
NOISE_FOLDER = "_background_noise_"
MAX_NOISE_CLIPS = 400


@dataclass
class SoundClips:
    """Clips at ``samplerate``, each exactly ``samples`` long.

    Attributes
    ----------
    audio : ndarray, float32, shape (N, samples)
    labels : ndarray, int64, shape (N,)
        Index into ``class_names``.
    class_names : tuple of str
    speakers : ndarray of str, shape (N,)
        Who spoke each clip ("" when unknown): the split keeps speakers apart.
    test : ndarray of bool, shape (N,)
        Clips a ``testing_list.txt`` put in the test set (all False without one).
    files : ndarray of str, shape (N,)
        Where each clip came from, for messages.
    skipped : list of (str, str)
        Files that were not used and why.
    """

    audio: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    samplerate: int
    speakers: np.ndarray = None
    test: np.ndarray = None
    files: np.ndarray = None
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.audio)
        if self.speakers is None:
            self.speakers = np.full(n, "", dtype="<U1")
        if self.test is None:
            self.test = np.zeros(n, dtype=bool)
        if self.files is None:
            self.files = np.array([f"clip {i + 1}" for i in range(n)])

    def __len__(self) -> int:
        return len(self.audio)

    def counts(self) -> dict[str, int]:
        """Clips per class, in class order."""
        c = np.bincount(self.labels, minlength=len(self.class_names))
        return {name: int(k) for name, k in zip(self.class_names, c, strict=True)}

    # --- project files --------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """An ``.npz`` of 16-bit PCM and the labels: what a project file carries (made once:
        clips never change after loading, and autosave writes them every half minute)."""
        if getattr(self, "_bytes", None) is None:
            self._bytes = self._encode()
        return self._bytes

    def _encode(self) -> bytes:
        pcm = to_pcm16(self.audio)
        buf = io.BytesIO()
        np.savez(
            buf,
            audio=pcm,
            labels=self.labels.astype(np.int32),
            class_names=np.array(self.class_names, dtype=str),
            samplerate=np.array([self.samplerate], dtype=np.int32),
            speakers=self.speakers.astype(str),
            test=self.test,
            files=self.files.astype(str),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SoundClips:
        """Inverse of :meth:`to_bytes`; ``SpecError`` in words for anything damaged."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
            raise SpecError(f"the sound clips in the project are damaged ({e})") from None
        try:
            pcm, labels = arrays["audio"], arrays["labels"].astype(np.int64)
            names = tuple(str(s) for s in arrays["class_names"])
            rate = int(arrays["samplerate"][0])
            n = len(pcm)
            ok = pcm.dtype == np.int16 and pcm.ndim == 2 and labels.shape == (n,)
            ok = (
                ok and n <= MAX_CLIPS and (n == 0 or 0 <= labels.min() <= labels.max() < len(names))
            )
            extras = [arrays[k] for k in ("speakers", "test", "files")]
            ok = ok and all(a.shape == (n,) for a in extras) and 4000 <= rate <= 96000
        except (KeyError, IndexError, TypeError, ValueError):
            ok = False
        if not ok:
            raise SpecError("the sound clips in the project are damaged (arrays do not match)")
        audio = pcm.astype(np.float32) / 32768.0
        speakers, test, files = extras
        return cls(audio, labels, names, rate, speakers.astype(str), test.astype(bool), files)


def to_pcm16(audio: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] -> int16, the grid every clip set is kept on."""
    return np.clip(np.round(np.asarray(audio) * 32768.0), -32768, 32767).astype(np.int16)


# --- reading files --------------------------------------------------------------------------
def _truncated(path: Path) -> bool:
    """Whether the RIFF header promises more bytes than the file has."""
    with open(path, "rb") as f:
        head = f.read(8)
    if len(head) < 8 or head[:4] != b"RIFF":
        return False
    return struct.unpack("<I", head[4:8])[0] + 8 > path.stat().st_size


def load_clip(path: Path, samplerate: int) -> np.ndarray:
    """Mono float32 samples of a WAV file at ``samplerate`` (any length).

    Raises
    ------
    SpecError
        With the reason the file is unusable: not a WAV, truncated, empty, NaN samples,
        too short or too long.
    """
    try:
        if not path.is_file():
            raise SpecError("not a regular file")
        if _truncated(path):
            raise SpecError("truncated: the file ends before its data does")
        data, rate = read_wav(path)
    except AudioError as e:
        reason = str(e).replace(path.name, "").strip(" :").removeprefix("is ")
        raise SpecError(reason or "unreadable") from None
    except OSError as e:
        raise SpecError(f"unreadable ({e.strerror or e})") from None
    mono = to_mono(data)
    if mono.shape[0] == 0:
        raise SpecError("empty: it holds no samples")
    seconds = mono.shape[0] / rate
    if not np.isfinite(mono).all():
        raise SpecError("it contains NaN or infinite samples")
    if seconds > MAX_CLIP_SECONDS:
        raise SpecError(f"too long ({seconds:.1f} s; clips are at most {MAX_CLIP_SECONDS:g} s)")
    if seconds < MIN_CLIP_SECONDS:
        raise SpecError(f"too short ({1000 * seconds:.0f} ms)")
    return resample(mono, rate, samplerate) if rate != samplerate else mono


def _speaker(name: str) -> str:
    """Speech Commands names clips ``<speaker>_nohash_<k>.wav``; other names: unknown."""
    return name.split("_nohash_")[0] if "_nohash_" in name else ""


def _read_list(root: Path, name: str) -> set[str]:
    path = root / name
    if not path.is_file():
        return set()
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return set()
    return {line.strip().replace("\\", "/") for line in lines if line.strip()}


def _noise_clips(root: Path, samplerate: int, samples: int, skipped: list) -> list[np.ndarray]:
    """Cut Speech Commands' long background recordings into clips (at most MAX_NOISE_CLIPS)."""
    folder = root / NOISE_FOLDER
    out: list[np.ndarray] = []
    for path in sorted(folder.glob("*.wav")) if folder.is_dir() else []:
        try:
            data, rate = read_wav(path)
        except (AudioError, OSError) as e:
            skipped.append((f"{NOISE_FOLDER}/{path.name}", str(e)))
            continue
        x = to_mono(data)
        x = resample(x, rate, samplerate) if rate != samplerate else x
        x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
        out += [x[i : i + samples] for i in range(0, len(x) - samples + 1, samples)]
    step = max(1, len(out) // MAX_NOISE_CLIPS)
    return out[::step][:MAX_NOISE_CLIPS]


def from_folder(root: str | os.PathLike, samplerate: int = 16000, seconds: float = 1.0,
                progress=None) -> SoundClips:  # fmt: skip
    """Every ``DIR/<label>/*.wav`` as a clip of class ``label``.

    Folders whose name starts with ``_`` or ``.`` are not classes; Speech Commands'
    ``_background_noise_`` becomes a ``background`` class when there is none yet.
    ``testing_list.txt`` (paths relative to ``DIR``) marks test clips.

    Parameters
    ----------
    progress : callable, optional
        ``progress(done, total)`` after each file (a progress bar).

    Raises
    ------
    SpecError
        When the folder is missing or holds fewer than two classes of usable clips.
    """
    root = Path(root)
    if not root.is_dir():
        raise SpecError(f"{root} is not a folder")
    samples = int(round(seconds * samplerate))
    testing = _read_list(root, "testing_list.txt")
    labels = sorted(
        p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
    )
    paths = [(lab, p) for lab in labels for p in sorted((root / lab).iterdir()) if p.is_file()]
    if len(paths) > MAX_CLIPS:
        raise SpecError(f"{root} holds {len(paths)} files; at most {MAX_CLIPS} can be imported")
    audio, ys, speakers, test, files, skipped = [], [], [], [], [], []
    for k, (label, path) in enumerate(paths):
        rel = f"{label}/{path.name}"
        if path.suffix.lower() != ".wav":
            skipped.append((rel, "not a .wav file"))
        else:
            try:
                audio.append(fit_length(load_clip(path, samplerate), samples))
                ys.append(label)
                speakers.append(_speaker(path.name))
                test.append(rel in testing)
                files.append(rel)
            except SpecError as e:
                skipped.append((rel, str(e)))
        if progress is not None:
            progress(k + 1, len(paths))
    if BACKGROUND not in labels:
        noise = _noise_clips(root, samplerate, samples, skipped)
        audio += noise
        ys += [BACKGROUND] * len(noise)
        speakers += [""] * len(noise)
        test += [False] * len(noise)
        files += [f"{NOISE_FOLDER} piece {i + 1}" for i in range(len(noise))]
    return _assemble(audio, ys, samplerate, speakers, test, files, skipped, str(root))


def from_clip_store(store, samplerate: int = 16000, seconds: float = 1.0) -> SoundClips:
    """The clips recorded in the window's Sound classes (a ``ClipStore``)."""
    samples = int(round(seconds * samplerate))
    audio, ys, files, skipped = [], [], [], []
    for clip in store.clips:
        try:
            x = load_clip(store.root / clip.file, samplerate)
        except SpecError as e:
            skipped.append((clip.file, str(e)))
            continue
        audio.append(fit_length(x, samples))
        ys.append(clip.label)
        files.append(clip.file)
    names = [n for n in store.labels if n in ys]
    return _assemble(audio, ys, samplerate, None, None, files, skipped, "recorded sounds", names)


def from_arrays(clips, labels, samplerate: int = 16000, seconds: float = 1.0,
                class_names=None) -> SoundClips:  # fmt: skip
    """Clips given as ``[(samples (n,), rate), ...]`` with one label each."""
    samples = int(round(seconds * samplerate))
    audio = [fit_length(resample(x, sr, samplerate) if sr != samplerate else x, samples)
             for x, sr in clips]  # fmt: skip
    return _assemble(audio, list(labels), samplerate, None, None, None, [], "clips", class_names)


def _assemble(audio, ys, samplerate, speakers, test, files, skipped, what,
              names=None) -> SoundClips:  # fmt: skip
    names = list(names) if names else sorted(set(ys), key=lambda n: (n == BACKGROUND, n))
    if len(names) < 2:
        found = f"only {names[0]!r}" if names else "none"
        raise SpecError(f"{what}: a sound data set needs at least two classes of usable clips "
                        f"({found} found)")  # fmt: skip
    # On the 16-bit grid from the start, so a project reloads exactly what was trained on.
    return SoundClips(
        audio=to_pcm16(np.stack(audio)).astype(np.float32) / 32768.0,
        labels=np.array([names.index(y) for y in ys], dtype=np.int64),
        class_names=tuple(names),
        samplerate=int(samplerate),
        speakers=None if speakers is None else np.array(speakers, dtype=str),
        test=None if test is None else np.array(test, dtype=bool),
        files=None if files is None else np.array(files, dtype=str),
        skipped=list(skipped),
    )
