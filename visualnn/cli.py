"""The ``visualnn`` command: the window by default, or a headless sub-command.

Sub-command modules are imported only when chosen, so ``visualnn train`` never loads Qt and
works on a machine without any display or Qt libraries.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any

# name -> (module, help); the module provides add_arguments(parser) and run(args) -> int.
COMMANDS: dict[str, tuple[str, str]] = {
    "train": ("visualnn.commands.train", "train a preset or a spec file headless, save a project"),
    "predict": ("visualnn.commands.predict", "classify WAV files or arrays with a saved model"),
    "listen": ("visualnn.commands.listen", "live predictions from a microphone, file or tone"),
    "presets": ("visualnn.cli", "list the presets"),
    "export": ("visualnn.export.cli", "export a project as ONNX (OUT.onnx) or PyTorch (OUT.py)"),
    "bench": (
        "visualnn.bench.engine",
        "engine training speed vs PyTorch if present",
    ),
    "spectrogram": ("visualnn.ui.spectrogram_app", "live spectrogram of the microphone or a tone"),
    "bench-live": ("visualnn.bench.live", "words into a virtual microphone: live latency"),
    "bench-audio": ("visualnn.bench.audio", "STFT / log-mel throughput as a multiple of real time"),
    "bench-gui": ("visualnn.bench.gui", "training speed with every view open vs headless"),
    "bench-spectrogram": (
        "visualnn.bench.spectrogram",
        "CPU, frame rate and latency of the live spectrogram",
    ),
    "bench-words": (
        "visualnn.bench.words_eval",
        "spoken command words by espeak-ng voices: make the set, eval models, live stream",
    ),
}
GUI_MODULE = "visualnn.ui.app"
QT_HINT = (
    "the window needs PySide6 and the Qt system libraries; on Debian/Ubuntu run: sudo apt-get "
    "install libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 "
    "libxcb-shape0 libdbus-1-3 (headless commands such as 'visualnn train' work without them)"
)


def _error(message: str) -> int:
    print(f"visualnn: error: {message}", file=sys.stderr)
    return 2


def _one_blas_thread() -> None:
    """Give BLAS one thread in the windowed commands (before NumPy is first imported).

    The window trains on one core and draws on the other; a second BLAS thread fights the GUI
    thread for it (measured under load: a small product took 25-45 ms instead of 70 us). A
    value the user set wins.
    """
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def _import(module: str):
    """Import a sub-command module; on failure say what is missing, in one line."""
    try:
        return importlib.import_module(module)
    except ImportError as e:  # includes a missing libEGL.so under PySide6
        hint = QT_HINT if module.startswith("visualnn.ui") else "reinstall visualnn"
        raise SystemExit(_error(f"cannot load {module} ({e}); {hint}")) from None


def run_presets(args: argparse.Namespace) -> int:
    from visualnn.presets import PRESETS

    width = max(len(n) for n in PRESETS)
    for name, p in PRESETS.items():
        print(f"{name:<{width}}  {p.title} ({p.dataset}, {p.config.epochs} epochs)")
    return 0


LOCAL = {
    "presets": (lambda p: None, run_presets),
}


# --- dispatch ---------------------------------------------------------------------------
def _command_parser(command: str) -> tuple[argparse.ArgumentParser, Any]:
    module, help_text = COMMANDS[command]
    parser = argparse.ArgumentParser(prog=f"visualnn {command}", description=help_text)
    if command in LOCAL:
        add, run = LOCAL[command]
    else:
        mod = _import(module)
        add, run = mod.add_arguments, mod.run
    add(parser)
    return parser, run


def _gui_parser() -> argparse.ArgumentParser:
    lines = [f"  {name:<12} {help_text}" for name, (_, help_text) in COMMANDS.items()]
    parser = argparse.ArgumentParser(
        prog="visualnn",
        description="See a neural network think. Without a command, opens the window.",
        epilog="commands (visualnn COMMAND --help for their options):\n" + "\n".join(lines),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``visualnn`` command; returns the exit code (0 ok, 2 usage or input error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            if argv[0] in ("spectrogram", "listen", "bench-gui", "bench-spectrogram"):
                _one_blas_thread()
            parser, run = _command_parser(argv[0])
            return int(run(parser.parse_args(argv[1:])) or 0)
        parser = _gui_parser()
        if argv and not argv[0].startswith("-"):
            parser.error(f"unknown command '{argv[0]}'; choose from: {', '.join(COMMANDS)}")
        if {"-h", "--help"} & set(argv):
            try:
                importlib.import_module(GUI_MODULE)
            except ImportError as e:  # still show the commands that work without Qt
                parser.print_help()
                print(f"\n(window options unavailable: {e})")
                return 0
        _one_blas_thread()
        app = _import(GUI_MODULE)
        app.add_arguments(parser)
        return int(app.run(parser.parse_args(argv)) or 0)
    except SystemExit as e:  # argparse's exits (help, usage errors) and _import's
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    except KeyboardInterrupt:
        print("visualnn: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
