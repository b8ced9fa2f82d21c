"""The ``visualnn bench-words`` command: ``make`` a set (:mod:`visualnn.bench.words`),
``eval`` the sound presets on it, write a live-demo ``stream``.

``eval`` goes the way of ``visualnn train PRESET --data DIR``: the folder is read as the app
reads it (any bad file listed and skipped), the preset's features and normalisation, the
preset's network with its output sized to the labels, the preset's training settings and
seed. It then tests on the set's held-out speakers (its ``testing_list.txt``) and prints the
accuracy, the training time and the commonest mistakes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from visualnn.audio.base import AudioError
from visualnn.audio.wavio import write_wav
from visualnn.bench import words as w
from visualnn.engine import SpecError, Trainer

#: The presets ``eval`` trains, in order.
MODELS = ("sounds-cnn", "sounds-conv1d", "sounds-crnn", "sounds-crnn1d")


def load_clips(folder):
    """The clips of a bench-words set folder, as the app reads them (:class:`SoundClips`)."""
    from visualnn.data.sound import from_folder

    folder = Path(folder)
    if not (folder / "testing_list.txt").is_file():
        raise w.WordsError(f"{folder} holds no bench-words set (it has no testing_list.txt)")
    clips = from_folder(folder)
    if not clips.test.any() or clips.test.all():
        raise w.WordsError(f"{folder} needs both training clips and test clips")
    return clips


def preset_dataset(name: str, clips, folder):
    """Preset ``name`` fitted to ``clips``: ``(preset, Dataset)`` with its features, the
    normalisation of its training clips, and its output layer sized to the labels."""
    from visualnn.data.sound import make_sounds
    from visualnn.presets import fit_to_classes, get_preset

    preset = get_preset(name)
    params = {**preset.dataset_params, "source": "folder", "path": str(folder)}
    data = make_sounds(**params, clips=clips)
    spec = fit_to_classes(preset.spec, data.num_classes)
    return dataclasses.replace(preset, spec=spec, weights=None), data


def train_and_test(name: str, clips, folder="", seed: int = 0) -> dict:
    """Train preset ``name`` with its defaults on ``clips`` and test it on the held-out speakers.

    Returns
    -------
    dict
        ``accuracy`` on the test speakers, ``seconds`` (wall) and ``cpu_seconds`` of the
        training, ``confusion`` ``(labels, labels)`` counts (true x predicted, in
        ``labels`` order), ``labels``, ``params``, the train and test sizes and the ``net``.
    """
    preset, data = preset_dataset(name, clips, folder)
    preset = dataclasses.replace(preset, seed=seed)
    model = preset.build_model()
    config = dataclasses.replace(preset.config, seed=seed)
    trainer = Trainer(model, (data.x_train, data.y_train), None, config, task=preset.task,
                      gain_units=data.gain_units())  # fmt: skip
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in trainer.steps():
        pass
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    pred = model.predict(data.x_test).argmax(axis=1)
    n = data.num_classes
    confusion = np.zeros((n, n), np.int64)
    np.add.at(confusion, (data.y_test, pred), 1)
    return {"model": name, "net": model, "accuracy": float(np.mean(pred == data.y_test)),
            "seconds": seconds, "cpu_seconds": cpu, "confusion": confusion,
            "labels": tuple(data.class_names), "params": model.num_params(),
            "train": len(data.x_train), "test": len(data.x_test)}  # fmt: skip


def top_confusions(confusion: np.ndarray, labels, n: int = 5) -> list[tuple[str, str, int]]:
    """The ``n`` commonest mistakes as ``(said, heard, count)``."""
    off = confusion * (1 - np.eye(len(confusion), dtype=confusion.dtype))
    order = np.argsort(off, axis=None)[::-1][:n]
    pairs = [np.unravel_index(i, off.shape) for i in order]
    return [(labels[a], labels[b], int(off[a, b])) for a, b in pairs if off[a, b]]


def make_stream(out, seed=0, speakers=170, n_words=20, speaker=0, test_share=0.25) -> dict:
    """A live-demo recording: test speaker number ``speaker`` of the set made with ``seed`` and
    ``speakers`` says ``n_words`` command words with 1-2 s of their background around each.

    Writes ``out`` (16 kHz mono 16-bit WAV) and ``out`` with suffix ``.json``: the speaker
    and ``words``, a list of ``{"word", "onset", "offset"}`` in seconds from the start.
    """
    everyone = w.draw_speakers(seed, speakers, test_share)
    tests = [(i, s) for i, s in enumerate(everyone) if everyone[s]["split"] == "test"]
    index, sid = tests[speaker % len(tests)]
    spk, rng = everyone[sid], np.random.default_rng([seed, index, 1000 + speaker])
    said, t = [], rng.uniform(1, 2)
    with tempfile.TemporaryDirectory(prefix="vnn-espeak-") as tmp:
        vdir = w.voice_dir(Path(tmp), sid, spk["voice"])
        talk = w.babble(rng, vdir)
        for word in rng.choice(w.WORDS, size=n_words):
            dry = w.speak(str(word), sid, spk, rng, vdir)
            wet = w.record(dry, spk, rng)
            level = 10 ** ((spk["level_db"] + rng.uniform(-3, 3)) / 20)
            wet *= level / np.sqrt(np.mean(wet[: len(dry)] ** 2))  # as loud as in the set
            said.append((str(word), t, wet, len(dry) / w.SR))
            t += len(dry) / w.SR + rng.uniform(1, 2)
    y = w.noise_floor(int(t * w.SR), spk, spk["level_db"], rng, talk)
    for _, onset, wet, _ in said:
        a = int(onset * w.SR)
        y[a : a + len(wet)] += wet[: len(y) - a]
    write_wav(out, np.clip(y, -1, 1), w.SR)
    words = [{"word": s, "onset": round(o, 3), "offset": round(o + d, 3)} for s, o, _, d in said]
    truth = {"samplerate": w.SR, "seconds": round(len(y) / w.SR, 3), "speaker": sid,
             "settings": spk, "words": words}  # fmt: skip
    Path(out).with_suffix(".json").write_text(json.dumps(truth, indent=1))
    return truth


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True)
    make = sub.add_parser("make", help="write the set into DIR (espeak-ng, a minute or less)")
    make.add_argument("dir", metavar="DIR")
    make.add_argument("--labels", type=int, default=11, help="labels each speaker says (11)")
    make.add_argument("--clips", type=int, default=1, help="clips per speaker and label (1)")
    make.add_argument("--test-share", type=float, default=0.25, help="test speakers (0.25)")
    make.add_argument("--jobs", type=int, default=2, help="speakers made at once (2)")
    ev = sub.add_parser("eval", help="train the sound presets, test on held-out speakers")
    ev.add_argument("dir", metavar="DIR")
    ev.add_argument("--model", action="append", choices=MODELS, help="default: all of them")
    st = sub.add_parser("stream", help="a live-demo WAV of test-speaker words plus its JSON")
    st.add_argument("out", metavar="OUT.wav")
    st.add_argument("--words", type=int, default=20, help="words said (default 20)")
    st.add_argument("--speaker", type=int, default=0, help="which test speaker (default 0)")
    for cmd in (make, st):
        cmd.add_argument("--seed", type=int, default=0, help="seed of the set (default 0)")
        cmd.add_argument("--speakers", type=int, default=170, help="speakers (default 170)")
    ev.add_argument("--seed", type=int, default=0, help="seed of the weights and batches")


def _eval(args) -> None:
    t0 = time.perf_counter()
    clips = load_clips(args.dir)
    n_test = int(clips.test.sum())
    print(f"{args.dir}: {len(clips) - n_test} training and {n_test} test clips read in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)  # fmt: skip
    for name in args.model or MODELS:
        r = train_and_test(name, clips, Path(args.dir).resolve(), args.seed)
        mistakes = ", ".join(f"{a}->{b} {k}" for a, b, k in top_confusions(r["confusion"],
                                                                         r["labels"]))  # fmt: skip
        print(f"{name}: {100 * r['accuracy']:.1f} % right on unseen speakers; trained in "
              f"{r['seconds']:.1f} s ({r['cpu_seconds']:.1f} s CPU), {r['params']:,} weights; "
              f"commonest mistakes (said->heard): {mistakes or 'none'}", flush=True)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Entry point of ``visualnn bench-words``; 0 done, 2 a plain-words error."""
    try:
        if args.action == "make":
            s = w.make_set(args.dir, args.seed, args.speakers, args.labels, args.clips,
                           args.test_share, args.jobs)  # fmt: skip
            print(f"{s['dir']}: {s['train']} training clips ({s['n_train']} speakers), "
                  f"{s['test']} test clips ({s['n_test']} others) in {s['seconds']} s")  # fmt: skip
        elif args.action == "stream":
            truth = make_stream(args.out, args.seed, args.speakers, args.words, args.speaker)
            print(f"{args.out}: {len(truth['words'])} words in {truth['seconds']} s by test "
                  f"speaker {truth['speaker']}, ground truth in the .json beside it")  # fmt: skip
        else:
            _eval(args)
    except (w.WordsError, AudioError, SpecError, OSError) as e:
        print(f"visualnn: error: {e}", file=sys.stderr)
        return 2
    return 0
