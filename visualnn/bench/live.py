"""``visualnn bench-live``: words played into a virtual microphone, predictions as they come.

A private PulseAudio daemon with a null sink is the microphone (:mod:`visualnn.bench.pulse`).
A stream of clips with quiet between them (known onsets) is played into it with ``paplay``
while ``visualnn listen M.vnn --source mic --json`` runs on its monitor: the same code path
as the window's live input. Each prediction line is timed when it arrives. Reported:

* per word: was it the most confident non-background label within about a second of its
  onset, and how long from onset to the first correct line (median over words);
* predictions per second, and how often the quiet between words reads as background;
* the listener's CPU share, alone and while a training process runs beside it (``--busy``).
"""

from __future__ import annotations

import argparse
import json
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from visualnn.audio.wavio import write_wav
from visualnn.bench.process import cpu_seconds

RATE = 16000
WINDOW_S = 1.0  # "about a second of its onset"
BACKGROUND = ("background", "silence", "_background_noise_")


@dataclass
class Truth:
    label: str
    onset: float  # seconds from the stream's start
    offset: float


def make_stream(clips, gap: tuple[float, float] = (1.2, 2.0), noise_db: float = -60.0,
                seed: int = 0) -> tuple[np.ndarray, list[Truth]]:  # fmt: skip
    """Clips ``[(audio (n,) at 16 kHz, label), ...]`` in a row with quiet between them.

    Returns the stream ``(N,)`` float32 and where each clip's sound starts and ends (its
    loudest part: a one-second clip is mostly quiet around its word).
    """
    rng = np.random.default_rng(seed)
    parts, truth, pos = [], [], 0
    lead = int(rng.uniform(*gap) * RATE)
    parts.append(np.zeros(lead, np.float32))
    pos += lead
    for audio, label in clips:
        audio = np.asarray(audio, np.float32)
        loud = np.flatnonzero(np.abs(audio) > 0.1 * max(float(np.abs(audio).max()), 1e-6))
        start, end = (loud[0], loud[-1]) if loud.size else (0, len(audio) - 1)
        truth.append(Truth(label, (pos + start) / RATE, (pos + end) / RATE))
        quiet = np.zeros(int(rng.uniform(*gap) * RATE), np.float32)
        parts += [audio, quiet]
        pos += len(audio) + len(quiet)
    stream = np.concatenate(parts)
    stream += rng.normal(0, 10 ** (noise_db / 20), stream.shape).astype(np.float32)
    return np.clip(stream, -1, 1), truth


def listen_to(server, model: Path, stream: np.ndarray, tail: float = 1.5):
    """Play ``stream`` into the virtual microphone while ``visualnn listen`` hears it.

    Returns ``(lines, t_play, cpu_share)``: ``[(arrival wall time, parsed JSON), ...]``, the
    wall time ``paplay`` was started at (the stream's time 0, give or take the sink's
    latency), and the share of one core the listener used meanwhile.
    """
    listener = server.spawn(
        [sys.executable, "-m", "visualnn", "listen", str(model), "--source", "mic",
         "--device", "pulse", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
    )  # fmt: skip
    lines: list = []
    _read(listener, lines, 3.0, first_only=True)  # audio flows: the first line came
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "stream.wav"
        write_wav(wav, stream, RATE, "PCM_16")
        lines.clear()
        t_play, cpu0 = time.monotonic(), cpu_seconds(listener.pid)
        server.play(wav)
        _read(listener, lines, len(stream) / RATE + tail)
        share = (cpu_seconds(listener.pid) - cpu0) / (time.monotonic() - t_play)
    server.stop(listener)
    return lines, t_play, share


def _read(proc, lines: list, seconds: float, first_only: bool = False) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            continue
        text = proc.stdout.readline()
        if not text:
            err = proc.stderr.read() if proc.poll() is not None else ""
            raise RuntimeError(f"visualnn listen ended: {err[-2000:]}")
        lines.append((time.monotonic(), json.loads(text)))
        if first_only:
            return


def score(lines: list, truth: list[Truth], t_play: float) -> dict:
    """What a user saw: hits within a second of each onset, latencies, quiet read right."""
    times = np.array([w - t_play for w, _ in lines])
    labels = [d["label"] for _, d in lines]
    words, latencies = [], []
    for t in truth:
        near = [(tm, _top_word(d["probabilities"]))
                for tm, (_, d) in zip(times, lines, strict=True)
                if t.onset <= tm <= t.onset + WINDOW_S + 0.5]  # fmt: skip
        first = next((tm - t.onset for tm, lab in near if lab == t.label), None)
        words.append({"label": t.label, "onset": round(t.onset, 2),
                      "first_correct_s": None if first is None else round(first, 3)})  # fmt: skip
        if first is not None:
            latencies.append(first)
    quiet = [i for i, tm in enumerate(times) if _in_quiet(tm, truth)]
    background = sum(labels[i].lower() in BACKGROUND for i in quiet)
    span = times[-1] - times[0] if len(times) > 1 else 1.0
    hit = sum(w["first_correct_s"] is not None and w["first_correct_s"] <= WINDOW_S
              for w in words)  # fmt: skip
    return {
        "words": words,
        "hit_within_1s": hit / max(len(words), 1),
        "median_onset_to_correct_s": float(np.median(latencies)) if latencies else None,
        "predictions_per_second": (len(times) - 1) / span,
        "quiet_read_as_background": background / max(len(quiet), 1),
    }


def _top_word(probs: dict) -> str:
    """The most confident label that is not background."""
    words = {k: v for k, v in probs.items() if k.lower() not in BACKGROUND}
    return max(words, key=words.get) if words else max(probs, key=probs.get)


def _in_quiet(tm: float, truth: list[Truth]) -> bool:
    """Well away from every word: the second after an offset still holds it in the window."""
    return all(tm < t.onset - 0.1 or tm > t.offset + WINDOW_S + 0.2 for t in truth)


def _demo_model(folder: Path) -> tuple[Path, list]:
    """A sounds-cnn trained on demo sounds, and fresh demo clips (another seed) to play."""
    from visualnn import cli
    from visualnn.data.sound import DEMO_CLASSES, synthetic_clip

    model = folder / "demo.vnn"
    code = cli.main(["train", "sounds-cnn", "--out", str(model), "--quiet"])
    if code != 0:
        raise RuntimeError("training the demo model failed")
    rng = np.random.default_rng(123)
    clips = [(synthetic_clip(k, rng), k) for k in DEMO_CLASSES[:3] for _ in range(3)]
    rng.shuffle(clips)
    return model, clips


def _word_clips(folder: Path, count: int, seed: int) -> list:
    """``count`` test clips (speakers the model never heard) of a words folder, no background."""
    from visualnn.data.sound.clipset import from_folder

    clips = from_folder(folder)
    idx = np.flatnonzero(clips.test) if clips.test.any() else np.arange(len(clips))
    words = [i for i in idx if clips.class_names[clips.labels[i]].lower() not in BACKGROUND]
    rng = np.random.default_rng(seed)
    pick = rng.choice(words, size=min(count, len(words)), replace=False)
    return [(clips.audio[i], clips.class_names[clips.labels[i]]) for i in pick]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="M.vnn", help="a trained sound model (default: "
                        "train sounds-cnn on --words, or on the demo sounds)")  # fmt: skip
    parser.add_argument("--words", metavar="DIR", help="a words folder (bench-words make): "
                        "its test speakers are played")  # fmt: skip
    parser.add_argument("--count", type=int, default=20, help="words played (default 20)")
    parser.add_argument("--busy", action="store_true", help="also measure while training")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def _measure(server, model: Path, stream: np.ndarray, truth: list, busy: bool) -> dict:
    trainer = None
    if busy:  # what the window's trainer process does to the machine while it listens
        trainer = server.spawn([sys.executable, "-m", "visualnn", "train", "digits-cnn",
                                "--epochs", "100000", "--out", "/dev/null", "--quiet"])  # fmt: skip
        time.sleep(2.0)
    try:
        lines, t_play, share = listen_to(server, model, stream)
    finally:
        if trainer is not None:
            server.stop(trainer)
    return {**score(lines, truth, t_play), "listener_cpu_share": share}


def run(args: argparse.Namespace) -> int:
    from visualnn.bench.pulse import PulseError, start_pulse

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.words:
            model = Path(args.model) if args.model else tmp / "words.vnn"
            if not args.model:
                from visualnn import cli

                cli.main(["train", "sounds-cnn", "--data", args.words, "--out", str(model),
                          "--quiet"])  # fmt: skip
            clips = _word_clips(Path(args.words), args.count, 0)
        else:
            model, clips = _demo_model(tmp)
            model = Path(args.model) if args.model else model
        stream, truth = make_stream(clips)
        try:
            server = start_pulse(tmp / "pulse")
        except PulseError as exc:
            print(f"visualnn: {exc}", file=sys.stderr)
            return 2
        try:
            results = {"alone": _measure(server, model, stream, truth, False)}
            if args.busy:
                results["while_training"] = _measure(server, model, stream, truth, True)
        finally:
            server.close()
    if args.json:
        print(json.dumps(results))
        return 0
    for name, r in results.items():
        med = r["median_onset_to_correct_s"]
        print(f"{name}: {100 * r['hit_within_1s']:.0f}% of {len(r['words'])} words recognised "
              f"within 1 s of onset; median onset -> first correct "
              f"{'-' if med is None else f'{med:.2f} s'}; {r['predictions_per_second']:.1f} "
              f"predictions/s; quiet read as background "
              f"{100 * r['quiet_read_as_background']:.0f}%; listener CPU "
              f"{100 * r['listener_cpu_share']:.0f}% of a core")  # fmt: skip
    return 0
