"""Run by test_real_stream.py in a fresh interpreter: record through MicSource, report as JSON.

A separate process because PortAudio enumerates devices once, when sounddevice is imported,
and the test's PulseAudio environment (HOME/.asoundrc, PULSE_SERVER) must be in place first.
Protocol: prints one JSON line per event; waits for a line on stdin between the phases.
"""

import json
import sys
import time

import numpy as np

from visualnn.audio import features as F
from visualnn.audio.mic import MicSource, backend_status, list_input_devices

SR, N_FFT = 48000, 2048


def say(**kw):
    print(json.dumps(kw), flush=True)


def watch(mic, states, timeout):
    """Read like the panel does until status().state is in ``states``; return (status, s)."""
    t0 = time.monotonic()
    while True:
        mic.read()
        st = mic.status()
        if st.state in states or time.monotonic() - t0 > timeout:
            return st, time.monotonic() - t0
        time.sleep(0.05)


def main(device):
    ok, message = backend_status()
    say(event="backend", ok=ok, message=message, devices=[d.name for d in list_input_devices()])
    mic = MicSource(device=device, samplerate=SR, blocksize=512)
    mic.start()
    t0 = time.monotonic()
    while mic.callbacks == 0 and time.monotonic() - t0 < 3.0:
        time.sleep(0.01)
    say(event="first_block", seconds=time.monotonic() - t0)
    time.sleep(0.2)
    mic.read()  # drop the start-up transient
    chunks, t0 = [], time.monotonic()
    while time.monotonic() - t0 < 1.2:
        time.sleep(0.03)
        chunks.append(mic.read())
    x = np.concatenate(chunks)
    mag = F.magnitude(F.stft(x, n_fft=N_FFT, hop=256)).mean(axis=1) if len(x) >= N_FFT else None
    peak = float(F.fft_frequencies(SR, N_FFT)[mag.argmax()]) if mag is not None else None
    st = mic.status()
    say(
        event="recorded",
        samples=len(x),
        seconds=time.monotonic() - t0,
        peak_hz=peak,
        rms=float(np.sqrt(np.mean(x**2))) if len(x) else 0.0,
        state=st.state,
        message=st.message,
        device=mic.device_name,
        latency=mic.stream.latency,
    )
    sys.stdin.readline()  # the test stopped the player
    st, waited = watch(mic, ("silent", "stalled", "error"), 8.0)
    say(event="after_player", state=st.state, message=st.message, waited=waited)
    sys.stdin.readline()  # the test killed the daemon
    st, waited = watch(mic, ("stalled", "error"), 8.0)
    say(event="after_daemon", state=st.state, message=st.message, waited=waited)
    try:
        mic.reconnect()
        reconnect = "reconnected"
    except Exception as exc:  # an AudioError is expected: the server is gone
        reconnect = f"{type(exc).__name__}: {exc}"
    say(event="reconnect", result=reconnect, state=mic.status().state)
    mic.stop()
    say(event="closed")


if __name__ == "__main__":
    main(sys.argv[1])
