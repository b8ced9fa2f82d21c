"""Opening a clip store whatever state it is in: report and repair, never refuse.

A crash, a full disk or a hand edit can leave the store's index truncated, entries whose WAV
is gone or cut short, WAVs no entry lists, temporary files, or an index from a newer
version. :func:`scan_store` turns any of these into a list of clips that all play, plus one
plain sentence per repair for the window to show. Labels of unlisted clips come from the
information chunk ``ClipStore.add`` writes into every WAV (``"recovered"`` for older clips).
Damaged sound files are moved to ``damaged/``, never deleted; a newer index is only read.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from visualnn.audio.base import AudioError
from visualnn.audio.wavread import WavReader

INDEX_VERSION = 1
RECOVERED = "recovered"
_FILE = re.compile(r"^clips/[\w.-]+\.wav$")


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


@dataclass
class Scan:
    """What :func:`scan_store` found: the clips, the sentences, and what to do next."""

    clips: list[Clip] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    changed: bool = False  # the index must be written again
    read_only: str = ""  # why the store must not be written ("" when it may)


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def clip_from_entry(entry: Any) -> Clip | None:
    """An index entry as a ``Clip``, or None when any field is missing or of the wrong kind."""
    if not isinstance(entry, dict):
        return None
    try:
        clip = Clip(**entry)
    except TypeError:
        return None
    ok = (
        isinstance(clip.id, str)
        and clip.id
        and isinstance(clip.label, str)
        and clip.label.strip()
        and isinstance(clip.file, str)
        and _FILE.match(clip.file)  # inside clips/, so an index can never point elsewhere
        and type(clip.samplerate) is int
        and clip.samplerate > 0
        and type(clip.frames) is int
        and clip.frames >= 0
        and isinstance(clip.meta, dict)
    )
    return clip if ok else None


def _probe(path: Path) -> tuple[int, int, dict | None] | None:
    """``(frames, rate, info)`` of a playable WAV, None when missing, unreadable or empty."""
    try:
        with WavReader(path) as r:
            return (r.frames, r.samplerate, r.info) if r.frames > 0 else None
    except AudioError:
        return None


def _set_aside(root: Path, path: Path) -> None:
    """Move an unplayable file to ``damaged/`` (someone may still want it)."""
    if path.exists():
        (root / "damaged").mkdir(exist_ok=True)
        shutil.move(str(path), str(root / "damaged" / path.name))


def read_index(index_path: Path, scan: Scan) -> list[Any] | None:
    """The index's raw entries; None when it is missing or damaged (then rebuilt)."""
    if not index_path.exists():
        return None
    try:
        text = index_path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = ""  # damaged: rebuilt below
    except OSError as exc:  # not ours to overwrite what we cannot even read
        scan.read_only = f"the clip list {index_path} cannot be read ({exc.strerror or exc})"
        scan.report.append(f"Read-only: {scan.read_only}.")
        return []
    try:
        doc = json.loads(text)
        version, entries = doc.get("version", 0), doc["clips"]
        if not isinstance(entries, list) or not isinstance(version, int):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        damaged = index_path.with_name(index_path.name + ".damaged")
        shutil.copyfile(index_path, damaged)
        scan.report.append(
            f"The list of recorded clips was damaged (a copy is in {damaged.name}); it was "
            "rebuilt from the sound files."
        )
        scan.changed = True
        return None
    if version > INDEX_VERSION:
        scan.read_only = (
            f"these recordings were saved by a newer visualnn (clip list version {version}); "
            "update visualnn to record, rename or delete clips"
        )
        scan.report.append(f"Read-only: {scan.read_only}.")
    return entries


def check_entries(root: Path, entries: list[Any], scan: Scan) -> None:
    """Keep the entries whose WAV plays; fix lengths of cut-short ones; report the rest."""
    gone, bad, short = Counter(), 0, 0
    seen = set()
    for entry in entries:
        clip = clip_from_entry(entry)
        if clip is None or clip.id in seen or clip.file in {c.file for c in scan.clips}:
            bad += 1
            continue
        seen.add(clip.id)
        found = _probe(root / clip.file)
        if found is None:
            gone[clip.label] += 1
            if not scan.read_only:
                _set_aside(root, root / clip.file)
            continue
        frames, rate, _ = found
        if (frames, rate) != (clip.frames, clip.samplerate):
            short += frames < clip.frames
            clip.frames, clip.samplerate = frames, rate
        scan.clips.append(clip)
    if bad:
        scan.report.append(f"Dropped {_plural(bad, 'damaged entry')} from the clip list.")
    if gone:
        which = ", ".join(f"{label}: {n}" for label, n in gone.items())
        scan.report.append(
            f"Dropped {_plural(sum(gone.values()), 'clip')} whose sound file is missing or "
            f"unreadable ({which})."
        )
    if short:
        scan.report.append(f"Kept {_plural(short, 'clip')} that had been cut short, as far as "
                           "it goes.")  # fmt: skip
    scan.changed |= bool(bad or gone or short)


def recover_strays(root: Path, scan: Scan) -> None:
    """List the playable WAVs no entry mentions, under their own label when they carry one."""
    listed = {Path(c.file).name for c in scan.clips}
    ids = {c.id for c in scan.clips}
    own = plain = broken = 0
    for path in sorted((root / "clips").glob("*.wav")):
        if path.name in listed:
            continue
        found = _probe(path)
        if found is None:
            broken += 1
            _set_aside(root, path)
            continue
        frames, rate, info = found
        label = info.get("label") if info else None
        has_label = isinstance(label, str) and bool(label.strip())
        meta = info.get("meta") if info and isinstance(info.get("meta"), dict) else {}
        clip_id = path.stem if path.stem not in ids else uuid.uuid4().hex[:12]
        ids.add(clip_id)
        label = label.strip() if has_label else RECOVERED
        scan.clips.append(Clip(clip_id, label, f"clips/{path.name}", rate, frames, meta))
        own, plain = own + has_label, plain + (not has_label)
    if own or plain:
        scan.report.append(
            f"Recovered {_plural(own + plain, 'clip')} missing from the clip list ("
            f"{own} under their own label, {plain} as \u201c{RECOVERED}\u201d)."
        )
    if broken:
        scan.report.append(f"Moved {_plural(broken, 'unreadable sound file')} to damaged/.")
    scan.changed |= bool(own or plain)


def remove_temps(root: Path, scan: Scan) -> None:
    """Delete temporary files of writes that never finished (a crash, a full disk)."""
    temps = [*root.glob("index.json.*.tmp"), *(root / "clips").glob("*.tmp")]
    for p in temps:
        p.unlink(missing_ok=True)
    if temps:
        scan.report.append(f"Removed {_plural(len(temps), 'unfinished temporary file')}.")


def scan_store(root: Path, index_path: Path) -> Scan:
    """Read a store and repair it in memory (the caller writes the index when ``changed``)."""
    scan = Scan()
    entries = read_index(index_path, scan)
    if scan.read_only:  # only look: a newer visualnn's files are not ours to change
        for entry in entries or []:
            clip = clip_from_entry(entry)
            if clip is not None and (root / clip.file).is_file():
                scan.clips.append(clip)
        return scan
    remove_temps(root, scan)
    check_entries(root, entries or [], scan)
    recover_strays(root, scan)
    return scan
