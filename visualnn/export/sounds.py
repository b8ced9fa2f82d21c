"""A sound data set's clips out as a folder of WAV files, the Speech Commands layout that
``visualnn train PRESET --data DIR`` and the Data dock read back:
``DIR/<label>/<speaker>_nohash_<k>.wav`` (16-bit PCM) and ``DIR/testing_list.txt`` naming the
clips the project tests on, so the same split comes back.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from visualnn.audio.wavio import write_wav
from visualnn.data.sound.clipset import SoundClips
from visualnn.data.sound.dataset import split
from visualnn.engine import SpecError

_SAFE = re.compile(r"[^\w.-]+")


def _safe(name: str, fallback: str) -> str:
    """A folder or file name part from a label or speaker (no slashes, no dots in front)."""
    cleaned = _SAFE.sub("_", str(name)).strip("._")
    return cleaned or fallback


def export_clips(clips: SoundClips, folder: str | os.PathLike, train_ratio: float = 0.8,
                 seed: int = 0) -> int:  # fmt: skip
    """Write every clip; returns how many. Refuses a folder that already holds files.

    Raises
    ------
    SpecError
        When the folder is not empty or cannot be written, in words.
    """
    out = Path(folder)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SpecError(f"{out} is not an empty folder: choose a new one")
    _train, test, _how = split(clips, train_ratio, seed)
    test = set(int(i) for i in test)
    listed, counts = [], {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        for i, (audio, label) in enumerate(zip(clips.audio, clips.labels, strict=True)):
            name = _safe(clips.class_names[int(label)], f"class{int(label)}")
            speaker = _safe(clips.speakers[i], "clip") if clips.speakers[i] else "clip"
            k = counts[name] = counts.get(name, 0) + 1
            rel = f"{name}/{speaker}_nohash_{k}.wav"
            (out / name).mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(suffix=".tmp", dir=out / name)
            os.close(fd)
            write_wav(tmp, audio, clips.samplerate, "PCM_16")
            os.replace(tmp, out / rel)
            if i in test:
                listed.append(rel)
        (out / "testing_list.txt").write_text("\n".join(listed) + "\n", encoding="utf-8")
    except OSError as e:
        raise SpecError(f"cannot write the clips to {out}: {e.strerror or e}") from None
    return len(clips)
