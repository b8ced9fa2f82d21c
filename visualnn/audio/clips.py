"""A small on-disk store of labelled sound clips (for recording sound classes).

Layout: ``<root>/clips/<id>.wav`` (16-bit PCM mono) plus ``<root>/index.json``. Every write
goes to a temporary file in the same folder and is ``os.replace``d into place, and the clip is
written before the index that mentions it, so a crash at any moment leaves either the old
index or a new one whose clips all exist (at worst an unreferenced .wav, which ``prune`` or
the next ``add`` ignores).
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from visualnn.audio.base import AudioError
from visualnn.audio.wavio import read_wav, to_mono, write_wav

INDEX_VERSION = 1


@dataclass
class Clip:
    """One entry of the index."""

    id: str
    label: str
    file: str  # relative to the store root
    samplerate: int
    frames: int
    meta: dict = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return self.frames / self.samplerate


def _atomic_write(path: Path, write) -> None:
    """Call ``write(tmp_path)`` then move the result over ``path`` in one step."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())  # the data must be on disk before the rename publishes it
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class ClipStore:
    """Labelled clips under ``root``.

    Parameters
    ----------
    root : path-like
        Folder (created when missing).
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.clip_dir = self.root / "clips"
        self.index_path = self.root / "index.json"
        self.clip_dir.mkdir(parents=True, exist_ok=True)
        self.clips: list[Clip] = self._load_index()

    def _load_index(self) -> list[Clip]:
        if not self.index_path.exists():
            return []
        try:
            doc = json.loads(self.index_path.read_text(encoding="utf-8"))
            if doc.get("version", 0) > INDEX_VERSION:
                raise AudioError(
                    f"{self.index_path} was written by a newer visualnn (index version "
                    f"{doc['version']}); update visualnn to open it"
                )
            return [Clip(**c) for c in doc["clips"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise AudioError(f"the clip index {self.index_path} is damaged: {exc}") from None

    def _save_index(self) -> None:
        doc = {"version": INDEX_VERSION, "clips": [asdict(c) for c in self.clips]}
        text = json.dumps(doc, indent=1)
        _atomic_write(self.index_path, lambda p: Path(p).write_text(text, encoding="utf-8"))

    # -- public API ------------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        """Distinct labels in first-recorded order."""
        return list(dict.fromkeys(c.label for c in self.clips))

    def add(
        self, samples: np.ndarray, samplerate: int, label: str, meta: dict | None = None
    ) -> Clip:
        """Store a clip: WAV first, then the index.

        Parameters
        ----------
        samples : ndarray, shape (n,)
            Mono float samples in [-1, 1].
        samplerate : int
        label : str
            Class name.

        Returns
        -------
        Clip
        """
        label = str(label).strip()
        if not label:
            raise AudioError("a clip needs a label (the name of its sound class)")
        x = np.asarray(samples, dtype=np.float32).reshape(-1)
        clip_id = uuid.uuid4().hex[:12]
        rel = f"clips/{clip_id}.wav"
        _atomic_write(self.root / rel, lambda p: write_wav(p, x, samplerate, "PCM_16"))
        clip = Clip(clip_id, label, rel, int(samplerate), int(x.shape[0]), dict(meta or {}))
        self.clips.append(clip)
        try:
            self._save_index()
        except BaseException:
            self.clips.pop()
            raise
        return clip

    def load(self, clip: Clip | str) -> tuple[np.ndarray, int]:
        """Samples of a clip: (float32 (n,), samplerate)."""
        clip = self.get(clip) if isinstance(clip, str) else clip
        data, rate = read_wav(self.root / clip.file)
        return to_mono(data), rate

    def get(self, clip_id: str) -> Clip:
        for c in self.clips:
            if c.id == clip_id:
                return c
        raise AudioError(f"no clip with id {clip_id!r}")

    def remove(self, clip_id: str) -> None:
        """Drop a clip: index first (so it is never listed without its file), then the WAV."""
        clip = self.get(clip_id)
        self.clips = [c for c in self.clips if c.id != clip_id]
        self._save_index()
        (self.root / clip.file).unlink(missing_ok=True)

    def relabel(self, old: str, new: str) -> int:
        """Move every clip of class ``old`` to class ``new`` (one index write); returns how many."""
        moved = [c for c in self.clips if c.label == old]
        for clip in moved:
            clip.label = new
        if moved:
            self._save_index()
        return len(moved)

    def prune(self) -> list[str]:
        """Delete WAV files no index entry mentions (left by an interrupted add)."""
        known = {Path(c.file).name for c in self.clips}
        gone = []
        for p in self.clip_dir.iterdir():
            if p.name not in known and (p.suffix == ".wav" or p.suffix == ".tmp"):
                p.unlink()
                gone.append(p.name)
        return gone

    def __len__(self) -> int:
        return len(self.clips)
