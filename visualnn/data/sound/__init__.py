"""Sound data sets: clips from demo sounds, recorded classes or WAV folders, turned into the
network's input (log-mel, linear spectrogram, MFCC or waveform) with the statistics that
normalise it. See :mod:`.features`, :mod:`.clipset` and :mod:`.dataset`."""

from visualnn.data.sound.clipset import (
    BACKGROUND,
    SoundClips,
    from_arrays,
    from_clip_store,
    from_folder,
)
from visualnn.data.sound.dataset import SOURCES, load_clips, make_sounds, sound_dataset
from visualnn.data.sound.demo import DEMO_CLASSES, synthetic_clip, synthetic_clips
from visualnn.data.sound.features import (
    LAYOUTS,
    REPRESENTATIONS,
    SoundFeatures,
    SoundTransform,
    fit_length,
)

__all__ = [
    "BACKGROUND",
    "DEMO_CLASSES",
    "LAYOUTS",
    "REPRESENTATIONS",
    "SOURCES",
    "SoundClips",
    "SoundFeatures",
    "SoundTransform",
    "fit_length",
    "from_arrays",
    "from_clip_store",
    "from_folder",
    "load_clips",
    "make_sounds",
    "sound_dataset",
    "synthetic_clip",
    "synthetic_clips",
]
