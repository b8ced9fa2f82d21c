"""A real PortAudio stream: PulseAudio null sink fed a known tone, recorded through MicSource.

Skips only when PortAudio or PulseAudio is missing (see conftest.py for the apt command).
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from visualnn.audio.wavio import write_wav

pytestmark = pytest.mark.realaudio

TONE_HZ = 1000.0
BIN_HZ = 48000 / 2048
PROBE = Path(__file__).with_name("mic_probe.py")
ROOT = Path(__file__).resolve().parents[2]


def next_event(proc, name, timeout=20.0):
    """Read the probe's JSON lines until the event ``name`` (fail on EOF or timeout)."""
    import select

    while True:
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            pytest.fail(f"no '{name}' from the recording process within {timeout} s")
        line = proc.stdout.readline()
        if not line:
            err = proc.stderr.read() if proc.poll() is not None else ""
            pytest.fail(f"the recording process ended before '{name}':\n{err[-3000:]}")
        event = json.loads(line)
        if event["event"] == name:
            return event


@pytest.mark.parametrize("device", ["pulse"])
def test_mic_records_the_tone_and_notices_when_it_stops(pulse_server, tmp_path, device):
    wav = tmp_path / "tone.wav"
    t = np.arange(48000 * 20) / 48000
    write_wav(wav, 0.5 * np.sin(2 * np.pi * TONE_HZ * t), 48000)
    player = pulse_server.play(wav)
    probe = pulse_server.spawn(
        [sys.executable, str(PROBE), device],
        extra_env={"PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        backend = next_event(probe, "backend")
        assert backend["ok"], backend
        assert device in backend["devices"]
        rec = next_event(probe, "recorded")
        print("recorded:", rec)  # shown by pytest on failure, and with -s
        assert rec["device"] == device
        assert rec["samples"] >= 4096, (rec, pulse_server.log.read_text()[-3000:])
        assert rec["rms"] > 0.1, rec  # 0.5 peak sine: rms 0.35
        assert abs(rec["peak_hz"] - TONE_HZ) <= BIN_HZ, rec
        assert rec["state"] == "running", rec

        pulse_server.stop(player)
        probe.stdin.write("player stopped\n")
        probe.stdin.flush()
        after = next_event(probe, "after_player")
        print("after the player stopped:", after)
        # The monitor of an idle null sink delivers exact zeros: "silent" after ~1 s.
        assert after["state"] == "silent", after
        assert "digital silence" in after["message"]
        assert after["waited"] < 6.0

        pulse_server.kill_daemon()
        probe.stdin.write("daemon killed\n")
        probe.stdin.flush()
        gone = next_event(probe, "after_daemon")
        print("after the daemon died:", gone)
        assert gone["state"] in ("stalled", "error"), gone
        assert gone["waited"] < 6.0
        again = next_event(probe, "reconnect", timeout=10.0)
        print("reconnect without a server:", again)
        assert again["result"].startswith("AudioError"), again
        assert again["state"] == "error"
        next_event(probe, "closed", timeout=10.0)
        assert probe.wait(10) == 0
    finally:
        if probe.poll() is None:
            probe.kill()
            probe.wait(5)
        for f in (probe.stdin, probe.stdout, probe.stderr):
            f.close()


PANEL_PROBE = Path(__file__).with_name("panel_probe.py")


def _tell(proc, line):
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


@pytest.mark.parametrize("device", ["pulse"])
def test_panel_shows_the_tone_and_the_stream_stopping(pulse_server, tmp_path, device):
    wav = tmp_path / "tone.wav"
    t = np.arange(48000 * 20) / 48000
    write_wav(wav, 0.5 * np.sin(2 * np.pi * TONE_HZ * t), 48000)
    player = pulse_server.play(wav)
    probe = pulse_server.spawn(
        [sys.executable, str(PANEL_PROBE), device, str(tmp_path / "settings")],
        extra_env={"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = next_event(probe, "started", timeout=30.0)
        print("panel started:", started)
        assert started["kind"] == "mic" and started["source"] == "MicSource", started
        assert started["device"] == device and started["running"], started

        heard = next_event(probe, "listening")
        print("panel listening:", heard)
        assert heard["running"] and heard["state"] == "running", heard
        assert heard["text"].startswith(f"Listening to Microphone {device}"), heard
        assert heard["waited_running"] < 6.0, heard
        # latest_features gives FFT bins, so the peak maps through rfftfreq(n_fft), not rows.
        assert heard["features_shape"][0] == heard["n_bins"] == 2048 // 2 + 1, heard
        assert heard["features_shape"][1] >= 100, heard  # ~1 s of columns at hop 256
        assert abs(heard["peak_hz"] - TONE_HZ) <= BIN_HZ, heard
        assert heard["peak_db"] > -30.0, heard  # a 0.5 sine is -6 dBFS; silence is -200
        assert heard["image_moved"], heard
        assert abs(heard["image_peak_hz"] - TONE_HZ) <= BIN_HZ, heard

        pulse_server.stop(player)
        _tell(probe, "player stopped")
        after = next_event(probe, "after_player")
        print("panel after the player stopped:", after)
        assert after["ok"] and after["state"] == "silent", after
        assert "digital silence" in after["text"], after
        assert after["running"] and after["waited"] < 6.0, after

        pulse_server.kill_daemon()
        _tell(probe, "daemon killed")
        gone = next_event(probe, "after_daemon")
        print("panel after the daemon died:", gone)
        assert gone["ok"] and gone["state"] in ("stalled", "error"), gone
        assert gone["waited"] < 6.0, gone
        if gone["state"] == "stalled":
            assert "stopped delivering sound" in gone["text"], gone
            assert "Reconnect" in gone["text"] and gone["reconnect_visible"], gone
        else:
            assert gone["text"], gone

        closed = next_event(probe, "closed", timeout=10.0)
        print("panel closed:", closed)
        assert not closed["running"] and not closed["timer"], closed
        assert closed["stream"] == "None", closed
        assert probe.wait(10) == 0, probe.stderr.read()[-3000:]
    finally:
        if probe.poll() is None:
            probe.kill()
            probe.wait(5)
        for f in (probe.stdin, probe.stdout, probe.stderr):
            f.close()
