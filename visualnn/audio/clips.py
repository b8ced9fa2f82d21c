"""A small on-disk store of labelled sound clips (for recording sound classes).

Layout: ``<root>/clips/<id>.wav`` (16-bit PCM mono, carrying its label in an information
chunk) plus ``<root>/index.json``. Every write goes to a temporary file in the same folder
and is ``os.replace``d into place, and the clip is written before the index that mentions it,
so a crash at any moment leaves either the old index or a new one whose clips all exist.
Opening never fails: whatever is damaged is repaired (see :mod:`visualnn.audio.clip_repair`)
and ``repair_report`` says what was done, in sentences for the window.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import asdict
from pathlib import Path

import numpy as np

from visualnn.audio.base import AudioError
from visualnn.audio.clip_repair import INDEX_VERSION, RECOVERED, Clip, scan_store
from visualnn.audio.wavio import read_wav, to_mono, write_wav

__all__ = ["INDEX_VERSION", "RECOVERED", "Clip", "ClipStore"]


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
    """Labelled clips under ``root``; opening repairs a damaged store instead of failing.

    Parameters
    ----------
    root : path-like
        Folder (created when missing).

    Attributes
    ----------
    clips : list of Clip
        Every clip listed, each with a playable WAV.
    repair_report : list of str
        One plain sentence per repair made while opening ("Dropped 1 clip whose sound file
        is missing or unreadable (clap: 1)."); empty when the store was sound.
    read_only : str
        Why the store must not be written (a newer visualnn's index, an unreadable index or
        folder), "" when it may. Writing methods then raise ``AudioError`` saying so.
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.clip_dir = self.root / "clips"
        self.index_path = self.root / "index.json"
        self.clips: list[Clip] = []
        self.repair_report: list[str] = []
        self.read_only = ""
        try:
            self.clip_dir.mkdir(parents=True, exist_ok=True)
            scan = scan_store(self.root, self.index_path)
        except OSError as exc:
            self.read_only = f"the clip folder {self.root} cannot be used ({exc.strerror or exc})"
            self.repair_report = [f"Read-only: {self.read_only}."]
            return
        self.clips, self.repair_report, self.read_only = scan.clips, scan.report, scan.read_only
        if scan.changed and not self.read_only:
            try:
                self._save_index()
            except OSError as exc:
                self.repair_report.append(
                    f"The repaired clip list could not be saved ({exc.strerror or exc}); it "
                    "will be repaired again next time."
                )

    def _check_writable(self) -> None:
        if self.read_only:
            raise AudioError(f"cannot change the recordings: {self.read_only}")

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
        self._check_writable()
        label = str(label).strip()
        if not label:
            raise AudioError("a clip needs a label (the name of its sound class)")
        x = np.asarray(samples, dtype=np.float32).reshape(-1)
        clip_id = uuid.uuid4().hex[:12]
        rel = f"clips/{clip_id}.wav"
        self._write_clip(rel, x, samplerate, label, meta)
        clip = Clip(clip_id, label, rel, int(samplerate), int(x.shape[0]), dict(meta or {}))
        self.clips.append(clip)
        try:
            self._save_index()
        except BaseException:
            self.clips.pop()
            raise
        return clip

    def _write_clip(self, rel: str, x: np.ndarray, rate: int, label: str, meta) -> None:
        # The label travels inside the WAV, so a lost index can be rebuilt with it.
        info = {"label": label, "meta": dict(meta or {})}
        _atomic_write(self.root / rel, lambda p: write_wav(p, x, rate, "PCM_16", info=info))

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
        self._check_writable()
        clip = self.get(clip_id)
        self.clips = [c for c in self.clips if c.id != clip_id]
        self._save_index()
        (self.root / clip.file).unlink(missing_ok=True)

    def relabel(self, old: str, new: str) -> int:
        """Move every clip of class ``old`` to class ``new`` (one index write); returns how many.

        The labels inside the WAVs follow afterwards (best effort: they only matter if the
        index is ever lost, and the index is already right).
        """
        self._check_writable()
        moved = [c for c in self.clips if c.label == old]
        for clip in moved:
            clip.label = new
        if moved:
            self._save_index()
        for clip in moved:
            try:
                x, rate = self.load(clip)
                self._write_clip(clip.file, x, rate, new, clip.meta)
            except (AudioError, OSError):
                pass
        return len(moved)

    def prune(self) -> list[str]:
        """Delete WAV files no index entry mentions (left by an interrupted add)."""
        self._check_writable()
        known = {Path(c.file).name for c in self.clips}
        gone = []
        for p in self.clip_dir.iterdir():
            if p.name not in known and (p.suffix == ".wav" or p.suffix == ".tmp"):
                p.unlink()
                gone.append(p.name)
        return gone

    def __len__(self) -> int:
        return len(self.clips)
