"""Sound data sets: clips -> features -> a split, normalised ``Dataset`` like any other.

``load_dataset("sounds", source=..., representation=..., layout=...)`` ends here. The
split keeps speakers apart when the clips say who spoke them (Speech Commands' file names)
or follows a ``testing_list.txt``; the normalisation comes from the training clips only and
travels with the data set as its :class:`SoundTransform`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from visualnn.data.dataset import Dataset, check_range
from visualnn.data.sound import clipset
from visualnn.data.sound.clipset import SoundClips
from visualnn.data.sound.demo import DEMO_CLASSES, synthetic_clips
from visualnn.data.sound.features import LAYOUTS, REPRESENTATIONS, SoundFeatures, SoundTransform
from visualnn.engine.errors import SpecError

#: Where the clips of a sound data set come from.
SOURCES = {
    "demo": "Built-in demo sounds",
    "recorded": "Classes recorded in Sound classes",
    "folder": "A folder of WAV files (one subfolder per class)",
}
DEMO_CLIPS_PER_CLASS = 32


def stratified_split(y: np.ndarray, train_ratio: float, rng: np.random.Generator):
    """Indices (train, test), each class split on its own so both sides see every class."""
    tr, te = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        k = int(round(len(idx) * train_ratio))
        k = len(idx) if len(idx) < 2 else min(max(k, 1), len(idx) - 1)
        tr.append(idx[:k])
        te.append(idx[k:])
    return np.concatenate(tr), np.concatenate(te)


def _speaker_split(clips: SoundClips, train_ratio: float, rng: np.random.Generator):
    """Whole speakers to the test side until it holds ``1 - train_ratio`` of the clips."""
    known = clips.speakers != ""
    names = np.array(sorted(set(clips.speakers[known])))
    target = (1.0 - train_ratio) * known.sum()
    test_speakers, taken = set(), 0
    for name in rng.permutation(names):
        if taken >= target:
            break
        test_speakers.add(name)
        taken += int(np.count_nonzero(clips.speakers == name))
    is_test = np.isin(clips.speakers, list(test_speakers)) & known
    # Clips without a speaker (background noise pieces) are split class by class.
    rest = np.flatnonzero(~known)
    if rest.size:
        tr, te = stratified_split(clips.labels[rest], train_ratio, rng)
        is_test[rest[te]] = True
    return is_test


def split(clips: SoundClips, train_ratio: float, seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    """``(train indices, test indices, how)``; ``how`` says in words how it was split."""
    rng = np.random.default_rng(seed)
    n_classes = len(clips.class_names)
    is_test, how = None, ""
    if clips.test.any():
        is_test, how = clips.test.copy(), "the folder's testing_list.txt"
    elif np.count_nonzero(clips.speakers != "") >= len(clips) // 2:
        if len(set(clips.speakers[clips.speakers != ""])) >= 2:
            is_test, how = _speaker_split(clips, train_ratio, rng), "speakers kept apart"
    if is_test is not None:
        both = [np.bincount(clips.labels[m], minlength=n_classes) for m in (~is_test, is_test)]
        if min(both[0].min(), both[1].min()) == 0:
            is_test = None  # a class would be missing on one side: fall back
    if is_test is None:
        tr, te = stratified_split(clips.labels, train_ratio, rng)
        return rng.permutation(tr), te, "clips drawn at random per class"
    return rng.permutation(np.flatnonzero(~is_test)), np.flatnonzero(is_test), how


def sound_dataset(
    clips: SoundClips,
    features: SoundFeatures,
    train_ratio: float = 0.8,
    seed: int = 0,
    title: str = "sounds",
    params: dict | None = None,
) -> Dataset:
    """Features, split and normalisation of ``clips`` as a ``Dataset``.

    Returns
    -------
    Dataset
        ``x`` float32 ``(N, *features.input_shape)``, ``y`` int64 ``(N,)``; ``transform`` is
        the fitted :class:`SoundTransform`, ``clips`` the source clips, and
        ``params["split"]`` says how train and test were separated.
    """
    if clips.samplerate != features.samplerate:
        raise SpecError(f"the clips are at {clips.samplerate} Hz but the features expect "
                        f"{features.samplerate} Hz")  # fmt: skip
    counts = np.bincount(clips.labels, minlength=len(clips.class_names))
    few = [n for n, k in zip(clips.class_names, counts, strict=True) if k < 2]
    if few:
        raise SpecError(f"record at least 2 clips of every class (too few: {', '.join(few)})")
    raw = features.compute(clips.audio)
    tr, te, how = split(clips, train_ratio, seed)
    transform = SoundTransform.fit(features, raw[tr])
    x = transform.normalise(raw)
    params = {**(params or {}), "split": how}
    return Dataset("sounds", x[tr], clips.labels[tr], x[te], clips.labels[te],
                   "classification", features.input_shape, len(clips.class_names),
                   clips.class_names, params, clips=clips, transform=transform,
                   title=title)  # fmt: skip


def load_clips(source: str, path: str = "", seed: int = 0, progress=None) -> SoundClips:
    """The clips of a source: ``demo``, ``recorded`` (a clip store folder) or ``folder``."""
    if source == "demo":
        clips, labels = synthetic_clips(seed, DEMO_CLIPS_PER_CLASS)
        return clipset.from_arrays(clips, labels, class_names=DEMO_CLASSES)
    if not path:
        raise SpecError(f"sound source {source!r} needs a folder (path)")
    if source == "recorded":
        from visualnn.audio.clips import ClipStore

        return clipset.from_clip_store(ClipStore(path))
    return clipset.from_folder(path, progress=progress)


def make_sounds(
    source: str = "demo",
    path: str = "",
    representation: str = "logmel",
    layout: str = "image",
    train_ratio: float = 0.8,
    seed: int = 0,
    normalise_level: bool = False,
    clips: SoundClips | None = None,
) -> Dataset:
    """The ``"sounds"`` entry of the data set registry.

    Parameters
    ----------
    source : {"demo", "recorded", "folder"}
    path : str
        The clip store (recorded) or the Speech Commands folder (folder).
    representation : {"logmel", "linear", "mfcc", "waveform"}
    layout : {"image", "sequence"}
        ``(1, bands, frames)`` for Conv2D or ``(bands, frames)`` for Conv1D / recurrent.
    normalise_level : bool
        Every clip at the same loudness (:class:`SoundFeatures`).
    clips : SoundClips, optional
        Ready clips (a project carries its own), used instead of reading ``source``.
    """
    if source not in SOURCES:
        raise SpecError(f"dataset sounds: unknown source {source!r}; known: {', '.join(SOURCES)}")
    for key, value, known in (("representation", representation, REPRESENTATIONS),
                              ("layout", layout, LAYOUTS)):  # fmt: skip
        if value not in known:
            raise SpecError(f"dataset sounds: unknown {key} {value!r}; known: {', '.join(known)}")
    train_ratio = check_range("sounds", "train_ratio", train_ratio, 0.1, 0.95)
    seed = check_range("sounds", "seed", seed, 0, 2**31 - 1, integer=True)
    if clips is None:
        clips = load_clips(source, path, seed)
    features = SoundFeatures(representation, layout, normalise_level=normalise_level)
    params = {"source": source, "path": str(path), "representation": representation,
              "layout": layout, "train_ratio": train_ratio, "seed": seed,
              "normalise_level": features.normalise_level}  # fmt: skip
    title = {"demo": "demo sounds", "recorded": "recorded sounds"}.get(source)
    title = title or Path(path).name
    return sound_dataset(clips, features, train_ratio, seed, title, params)
