"""Run by test_real_stream.py in a fresh interpreter: a real MicrophonePanel on the microphone.

Like mic_probe.py, but through the whole panel (offscreen Qt): its LiveAudio timer reads the
PortAudio stream, its spectrogram draws, and its status line and ``state_changed`` signal say
what the stream is doing. Time passes only in the Qt event loop (QEventLoop + QTimer), so the
panel works as it does in the app. Protocol: one JSON line per event on stdout; a line on
stdin between the phases. Arguments: device name, a folder for the panel's QSettings.
"""

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6 import QtCore, QtWidgets  # noqa: E402

N_FFT, HOP = 2048, 256


def say(**kw):
    print(json.dumps(kw), flush=True)


def run_loop(ms):
    """Let the event loop run for ``ms`` milliseconds."""
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(int(ms), loop.quit)
    loop.exec()


def wait_for(panel, done, timeout):
    """Run the event loop until ``done()`` holds (checked on every state change and every
    100 ms) or ``timeout`` seconds pass; returns (done, seconds waited)."""
    loop = QtCore.QEventLoop()
    t0 = time.monotonic()

    def check(*_):
        if done() or time.monotonic() - t0 > timeout:
            loop.quit()

    poll = QtCore.QTimer()
    poll.setInterval(100)
    poll.timeout.connect(check)
    panel.state_changed.connect(check)
    poll.start()
    if not done():
        loop.exec()
    poll.stop()
    panel.state_changed.disconnect(check)
    return bool(done()), time.monotonic() - t0


def main(device, settings_dir):
    QtCore.QSettings.setPath(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, settings_dir)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    from visualnn.ui.panels.microphone import MicrophonePanel

    panel = MicrophonePanel(source="tone")  # built stopped; the microphone is chosen below
    seen = []  # (seconds since start, state) for every state_changed
    t_start = time.monotonic()
    panel.state_changed.connect(lambda s: seen.append((round(time.monotonic() - t_start, 3), s)))
    panel.settings.set_values(scale="linear", fmin=0, fmax=8000, n_fft=N_FFT, hop=HOP)
    panel.set_source("mic", device=device)
    panel.resize(1000, 560)
    panel.show()
    panel.start()

    def state():
        return seen[-1][1] if seen else None

    def text():
        return panel.status_label.text()

    source = panel.pump.source
    say(
        event="started",
        kind=panel.picker.kind(),
        source=type(source).__name__,
        device=getattr(source, "device_name", None),
        running=panel.running,
        state=state(),
        text=text(),
    )

    ok, waited = wait_for(panel, lambda: state() == "running", 5.0)
    # A stream opened just after the player started may wait ~1 s for its first block.
    _, first_block = wait_for(panel, lambda: source.callbacks > 0, 5.0)
    run_loop(1200)  # ~1.5 s of sound through the pump in all
    before = panel.view.image_data()
    run_loop(300)
    after = panel.view.image_data()
    feats = panel.latest_features(1.0)  # FFT bins (n_fft // 2 + 1, frames), not display rows
    sr, n_fft = panel.pump.samplerate, panel.pump.n_fft
    bins = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mean = feats.mean(axis=1) if feats.shape[1] else None
    rows = panel.view.row_frequencies()  # the display rows, for the image
    say(
        event="listening",
        running=panel.running,
        state=state(),
        text=text(),
        waited_running=waited,
        first_block=first_block,
        frames_in=source.frames_in,
        callbacks=source.callbacks,
        samplerate=sr,
        n_fft=n_fft,
        features_shape=list(feats.shape),
        n_bins=len(bins),
        peak_hz=float(bins[int(np.argmax(mean))]) if mean is not None else None,
        peak_db=float(mean.max()) if mean is not None else None,
        image_shape=list(after.shape),
        image_moved=bool(before.shape == after.shape and not np.array_equal(before, after)),
        image_peak_hz=float(rows[int(np.argmax(after[:, -20:].mean(axis=1)))]),
        states=seen,
    )

    sys.stdin.readline()  # the test stopped the player
    mark = len(seen)
    ok, waited = wait_for(panel, lambda: state() == "silent" and "digital silence" in text(), 8.0)
    say(
        event="after_player",
        ok=ok,
        state=state(),
        text=text(),
        waited=waited,
        running=panel.running,
        states=seen[mark:],
    )

    sys.stdin.readline()  # the test killed the daemon
    mark = len(seen)
    ok, waited = wait_for(panel, lambda: state() in ("stalled", "error"), 8.0)
    run_loop(100)  # let the widgets settle (nothing should change any more)
    say(
        event="after_daemon",
        ok=ok,
        state=state(),
        text=text(),
        waited=waited,
        reconnect_visible=panel.reconnect_button.isVisible(),
        running=panel.running,
        states=seen[mark:],
    )

    panel.close()
    run_loop(50)
    stream = getattr(source, "stream", None)
    say(
        event="closed",
        running=panel.running,
        timer=panel.pump.timer.isActive(),
        stream=repr(stream),
    )
    panel.deleteLater()
    run_loop(50)
    del app


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
