"""Feature throughput benchmark: how many times faster than real time the maths runs.

``visualnn bench --audio`` (wired by the CLI through :func:`add_arguments` / :func:`run`)
prints, for 48 kHz mono at n_fft 2048 and hop 256: the offline STFT, the STFT + log-mel,
and the streaming STFT fed in 512-sample blocks as the microphone would. A figure of 100x
means one second of audio takes 10 ms, i.e. 1 % of a core in a live demo.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from visualnn.audio import features
from visualnn.audio.streaming import StreamingSTFT


def _best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def feature_benchmark(
    seconds: float = 10.0,
    samplerate: int = 48000,
    n_fft: int = 2048,
    hop: int = 256,
    n_mels: int = 128,
    block: int = 512,
    repeats: int = 3,
) -> dict:
    """Time the feature pipeline on ``seconds`` of noise.

    Returns
    -------
    dict
        Settings plus ``stft_x_realtime``, ``log_mel_x_realtime``, ``streaming_x_realtime``
        (audio seconds per compute second) and ``streaming_cpu_percent`` (share of one core
        the streaming STFT needs in real time).
    """
    rng = np.random.default_rng(0)
    x = rng.uniform(-0.5, 0.5, int(seconds * samplerate)).astype(np.float32)
    fb = features.mel_filterbank(samplerate, n_fft, n_mels=n_mels)

    def offline_stft():
        features.stft(x, n_fft=n_fft, hop=hop)

    def offline_log_mel():
        S = features.power(features.stft(x, n_fft=n_fft, hop=hop))
        features.power_to_db(fb @ S)

    def streaming():
        s = StreamingSTFT(n_fft, hop)
        for i in range(0, x.shape[0], block):  # the way the GUI timer drains the ring buffer
            cols = s.push(x[i : i + block])
            features.power_to_db(fb @ features.power(cols), top_db=None)

    t_stft = _best_of(offline_stft, repeats)
    t_mel = _best_of(offline_log_mel, repeats)
    t_stream = _best_of(streaming, repeats)
    return {
        "seconds_of_audio": seconds,
        "samplerate": samplerate,
        "n_fft": n_fft,
        "hop": hop,
        "n_mels": n_mels,
        "block": block,
        "stft_x_realtime": round(seconds / t_stft, 1),
        "log_mel_x_realtime": round(seconds / t_mel, 1),
        "streaming_x_realtime": round(seconds / t_stream, 1),
        "streaming_cpu_percent": round(100.0 * t_stream / seconds, 2),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``visualnn bench-audio``."""
    what = "length of the audio benchmark signal (default 10 s)"
    parser.add_argument("--audio-seconds", type=float, default=10.0, help=what)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark and print it; returns the exit code."""
    result = feature_benchmark(seconds=getattr(args, "audio_seconds", 10.0))
    if getattr(args, "json", False):
        print(json.dumps(result))
        return 0
    print(
        f"audio features, {result['samplerate']} Hz mono, n_fft {result['n_fft']}, "
        f"hop {result['hop']}, {result['n_mels']} mels:"
    )
    print(f"  STFT               {result['stft_x_realtime']:8.1f} x real time")
    print(f"  STFT + log-mel     {result['log_mel_x_realtime']:8.1f} x real time")
    print(
        f"  streaming (blocks of {result['block']}) {result['streaming_x_realtime']:8.1f} "
        f"x real time = {result['streaming_cpu_percent']:.2f} % of one core"
    )
    return 0


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    add_arguments(p)
    raise SystemExit(run(p.parse_args()))
