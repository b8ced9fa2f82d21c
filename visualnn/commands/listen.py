"""``visualnn listen M.vnn [--source mic|file:PATH|tone:HZ]``: live predictions, one a line.

Reads the source about 12 times a second, keeps its newest second at the model's rate
(:class:`visualnn.audio.live.LiveBuffer`) and prints what the model hears, flushed at once:
``t label p`` or, with ``--json``, ``{"t", "label", "probabilities"}`` where ``t`` is the
seconds of audio heard so far. The first line comes only once audio flows.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from visualnn.commands.output import error

PERIOD_S = 0.08  # 12.5 predictions a second


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="M.vnn", help="a sound model saved by visualnn")
    p.add_argument(
        "--source",
        default="mic",
        help="mic (default), file:PATH (a WAV played in real time) or tone:HZ",
    )
    p.add_argument("--device", metavar="NAME", help="microphone name (default: the system's)")
    p.add_argument("--seconds", type=float, help="stop after this many seconds")
    p.add_argument("--json", action="store_true", help="one JSON object per line")


def make_source(text: str, device: str | None = None):
    """An ``AudioSource`` for ``mic``, ``file:PATH`` or ``tone:HZ``; ``AudioError`` in words."""
    from visualnn.audio.base import AudioError
    from visualnn.audio.sources import FileSource, MicSource, SynthSource

    kind, _, arg = text.partition(":")
    if kind == "mic":
        return MicSource(device=device or None)
    if kind == "file" and arg:
        return FileSource(arg, loop=False)
    if kind == "tone":
        try:
            hz = float(arg or 440.0)
        except ValueError:
            raise AudioError(f"tone:HZ needs a frequency in Hz, not {arg!r}") from None
        if not 20.0 <= hz <= 20000.0:
            raise AudioError(f"tone frequency must be 20 to 20000 Hz, got {hz:g}")
        return SynthSource("tone", frequency=hz)
    raise AudioError(f"--source must be mic, file:PATH or tone:HZ, not {text!r}")


def _line(t: float, probs, predictor, as_json: bool) -> str:
    label = predictor.label(probs)
    if as_json:
        return json.dumps({"t": round(t, 3), "label": label,
                           "probabilities": predictor.as_dict(probs)})  # fmt: skip
    return f"{t:7.2f} s  {label:<12} {100 * float(probs.max()):5.1f} %"


def listen(predictor, source, seconds: float | None, as_json: bool, out=sys.stdout) -> int:
    """Predict from ``source`` until it ends, ``seconds`` pass, or Ctrl+C; returns an exit
    code (0, or 1 when the source failed)."""
    from visualnn.audio.live import LiveBuffer

    rate = predictor.samplerate
    clip_seconds = predictor.transform.features.seconds
    buffer = LiveBuffer(rate, seconds=max(4.0, 2 * clip_seconds))
    source.start()
    t0 = time.monotonic()
    try:
        while seconds is None or time.monotonic() - t0 < seconds:
            tick = time.monotonic()
            samples = source.read()
            if samples.shape[0]:
                buffer.push(samples, source.samplerate)
            status = source.status()
            if status.state == "error":
                print(f"visualnn: {status.message}", file=sys.stderr)
                return 1
            if samples.shape[0]:  # a prediction for every block of new audio
                clip = buffer.latest(clip_seconds)
                probs = predictor.probabilities(predictor.audio_inputs(clip[None]))[0]
                print(_line(buffer.total / rate, probs, predictor, as_json), file=out, flush=True)
            elif not source.running:
                break  # a file that has ended
            time.sleep(max(0.0, PERIOD_S - (time.monotonic() - tick)))
    finally:
        source.stop()
    return 0


def run(args: argparse.Namespace) -> int:
    """Entry point of ``visualnn listen``."""
    from visualnn.audio.base import AudioError
    from visualnn.engine import SpecError
    from visualnn.predictor import Predictor
    from visualnn.project import ProjectError, load_project

    if args.seconds is not None and not 0 < args.seconds < 1e6:
        return error(f"--seconds must be a positive number of seconds, not {args.seconds}")
    try:
        predictor = Predictor.from_project(load_project(args.model))
        rate = predictor.samplerate  # refuses a model that does not take sound
        source = make_source(args.source, args.device)
        if not args.json:
            print(f"listening to {source.describe()} at {rate} Hz; Ctrl+C stops",
                  file=sys.stderr)  # fmt: skip
        return listen(predictor, source, args.seconds, args.json)
    except (SpecError, ProjectError, AudioError) as e:
        return error(str(e))
