"""Audio for visualnn: sources (microphone, WAV file, synthetic), a ring buffer, and features.

No Qt here, and sounddevice is imported only when a microphone is listed or opened
(:mod:`visualnn.audio.mic`), so this package imports on machines without PortAudio.

Modules: ``base`` (AudioSource, SourceStatus, AudioError), ``ringbuffer``, ``sources``
(SynthSource, FileSource, and MicSource re-exported from ``mic``), ``wavio`` (WAV read and
write), ``resample``, ``features`` (STFT, mel, MFCC), ``streaming`` (StreamingSTFT),
``clips`` (recorded sound classes on disk), ``bench`` (feature throughput).
"""

from visualnn.audio.base import AudioError, AudioSource, SourceStatus

__all__ = ["AudioError", "AudioSource", "SourceStatus"]
