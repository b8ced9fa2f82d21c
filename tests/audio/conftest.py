"""The virtual microphone of the real-stream tests: a private PulseAudio daemon with a null
sink (see :mod:`visualnn.bench.pulse`, which the live benchmark uses too)."""

from __future__ import annotations

import ctypes.util
import shutil

import pytest

from visualnn.bench.pulse import SYSTEM_PACKAGES, PulseError, PulseServer, start_pulse

__all__ = ["PulseServer", "pulse_server"]


def _need(condition: bool, what: str) -> None:
    if not condition:
        pytest.skip(f"{what} is missing: run `{SYSTEM_PACKAGES}`")


@pytest.fixture
def pulse_server(tmp_path_factory):
    """Start the daemon, wait until it answers, yield a :class:`PulseServer`, kill it all."""
    _need(ctypes.util.find_library("portaudio") is not None, "PortAudio (libportaudio2)")
    _need(shutil.which("pulseaudio") is not None, "the pulseaudio binary")
    for tool in ("paplay", "pactl"):
        if shutil.which(tool) is None:  # installed with pulseaudio on every Debian/Ubuntu
            pytest.fail(f"{tool} is missing: run `{SYSTEM_PACKAGES}`")
    try:
        server = start_pulse(tmp_path_factory.mktemp("pulse"))
    except PulseError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.close()
