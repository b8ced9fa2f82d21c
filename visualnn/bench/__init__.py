"""Every benchmark in one place: ``visualnn bench`` (engine vs PyTorch), ``bench-audio``,
``bench-gui``, ``bench-spectrogram`` and friends. Speed is measured here and written in the
README, never asserted by a timed test."""
