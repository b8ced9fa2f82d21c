"""Starting the GUI: QApplication set-up, command-line flags, headless screenshots.

``visualnn`` with no sub-command calls :func:`add_arguments` on its parser and then
:func:`run`. ``--train-seconds S --screenshot out.png --quit`` trains for S seconds, renders
the whole window to a PNG (offscreen when there is no display) and exits: the README's
screenshots are made that way.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

#: Opened when nothing else is asked for: small, trains in seconds, shows every view.
DEMO_PRESETS = ("circle", "xor")
SETTLE_MS = 600  # after training stops: time for the views' redraw timers to catch up
LIVE_SETTLE_S = 1.5  # with --live: a second of sound before the screenshot
MAX_TRAIN_SECONDS = 24 * 3600  # a day; Qt's timers cannot wait much past 24 days anyway


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the GUI's flags to the ``visualnn`` command line."""
    g = parser.add_argument_group("window")
    g.add_argument("--preset", metavar="NAME", help="open on this preset (default: the demo)")
    g.add_argument("--open", metavar="FILE", help="open this project file (.vnn)")
    g.add_argument(
        "--select",
        metavar="LAYER[:UNIT]",
        help="select a layer (numbered from 1, as on screen) and optionally a unit: '2:3' is "
        "unit 3 of layer 2, '1:0,4,5' channel 0 at row 4, column 5 of a feature map",
    )
    g.add_argument(
        "--train-seconds",
        metavar="S",
        type=float,
        default=0.0,
        help="start training at once and pause after S seconds",
    )
    g.add_argument(
        "--screenshot",
        metavar="PNG",
        help="render the window to this PNG after training (works without display)",
    )
    g.add_argument(
        "--size",
        metavar="WxH",
        default=None,
        help="window size, e.g. 1280x720 (default for screenshots 1920x1080)",
    )
    g.add_argument(
        "--quit",
        action="store_true",
        help="exit after training / the screenshot instead of staying open",
    )
    g.add_argument(
        "--save",
        metavar="FILE",
        help="save the project (with its history) after --train-seconds, before --quit",
    )
    g.add_argument(
        "--present",
        action="store_true",
        help="open in presentation mode (F5): large high-contrast text, network and two views",
    )
    g.add_argument(
        "--live",
        action="store_true",
        help="open listening: the network's input is the sound source (a sound project)",
    )
    g.add_argument(
        "--source",
        metavar="SRC",
        help="the window's sound source: mic, file:PATH or tone:HZ (default: as last time)",
    )


def parse_size(text: str | None, default: tuple[int, int] | None) -> tuple[int, int] | None:
    """``"1280x720"`` -> ``(1280, 720)``; raises ``ValueError`` with a plain message."""
    if not text:
        return default
    try:
        w, h = (int(v) for v in text.lower().replace("\u00d7", "x").split("x"))
    except ValueError:
        raise ValueError(f"--size must look like 1280x720, not '{text}'") from None
    if not (320 <= w <= 10000 and 240 <= h <= 10000):
        raise ValueError(f"--size {text} is out of range (320x240 to 10000x10000)")
    return w, h


def parse_selection(text: str) -> tuple[int, tuple[int, ...] | None]:
    """``"2:3"`` -> ``(1, (3,))``: the layer as numbered on screen (from 1) and a unit."""
    layer_text, _, unit_text = text.partition(":")
    try:
        layer = int(layer_text) - 1
        unit = tuple(int(v) for v in unit_text.split(",")) if unit_text else None
    except ValueError:
        raise ValueError(f"--select {text}: give LAYER or LAYER:UNIT, e.g. 2:3") from None
    if layer < 0 or (unit is not None and min(unit) < 0):
        raise ValueError(f"--select {text}: layers count from 1, units from 0")
    return layer, unit


def parse_train_seconds(seconds: float) -> float:
    """Check ``--train-seconds``: 0 (do not train) up to a day; ``ValueError`` otherwise."""
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_TRAIN_SECONDS:
        raise ValueError(
            f"--train-seconds must be a number of seconds from 0 to {MAX_TRAIN_SECONDS}, "
            f"not {seconds:g}"
        )
    return seconds


def _selection_text(layer: int, unit: tuple[int, ...] | None) -> str:
    return f"--select {layer + 1}" + ("" if unit is None else ":" + ",".join(map(str, unit)))


def _output_shapes(model_or_shapes) -> list[tuple[int, ...] | None]:
    """Output shape per layer from a ``Sequential``, ``LayerShape``s or plain shapes; a
    recurrent layer's is ``(units, time steps)``, what its units are selected by."""
    if hasattr(model_or_shapes, "to_spec"):
        from visualnn.engine import validate_spec

        m = model_or_shapes
        model_or_shapes = validate_spec(m.to_spec(), m.input_shape)
    return [_selectable_shape(s) for s in model_or_shapes]


def _selectable_shape(shape) -> tuple[int, ...] | None:
    if shape is None:
        return None
    out = tuple(getattr(shape, "out_shape", shape))
    if getattr(shape, "type", None) in ("rnn", "gru", "lstm"):
        return _UnitSteps((out[0], int(shape.in_shape[-1])))  # see model/recurrent
    return out


class _UnitSteps(tuple):
    """A recurrent layer's ``(units, time steps)``: unit ``j`` at step ``t`` is selectable."""

    names = ("unit", "time step")


def check_selection(model_or_shapes, layer: int, unit: tuple[int, ...] | None) -> str | None:
    """Why ``--select`` cannot point at ``layer`` (0-based) and ``unit``, or None if it can.

    Parameters
    ----------
    model_or_shapes : Sequential or sequence
        The network, or per layer its ``LayerShape``, output shape tuple or None (unknown:
        then only the layer number is checked), as ``SpecDocument.shapes`` holds them.
    layer : int
    unit : tuple of int or None
        One index (a unit, or a channel of a feature map) or one per output axis.
    """
    from visualnn.engine.geometry import shape_text

    shapes = _output_shapes(model_or_shapes)
    what = _selection_text(layer, unit)
    if not 0 <= layer < len(shapes):
        return f"{what}: the network has {len(shapes)} layers, numbered 1 to {len(shapes)}"
    shape = shapes[layer]
    if unit is None or shape is None:
        return None
    names = ("channel", "row", "column") if len(shape) == 3 else ("channel", "position")
    if len(shape) == 1:
        names = ("unit",)
    names = getattr(shape, "names", names)
    if len(unit) not in (1, len(shape)):
        return f"{what}: layer {layer + 1} needs 1 or {len(shape)} numbers after the colon"
    if all(0 <= u < n for u, n in zip(unit, shape, strict=False)):
        return None
    ranges = ", ".join(f"{name} 0 to {n - 1}" for name, n in zip(names, shape, strict=False))
    return f"{what}: layer {layer + 1} gives {shape_text(shape)} values ({ranges})"


def refuse_selection(window, selection: tuple[int, tuple[int, ...] | None]) -> bool:
    """Print why ``selection`` does not fit the window's network and close it; True if so."""
    session = window.session
    problem = check_selection(session.inspect.model or session.project.document.shapes, *selection)
    if problem is None:
        return False
    print(f"visualnn: {problem}", file=sys.stderr)
    window.force_close = True
    window.close()
    return True


def _has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True  # the user (or the test suite) chose a platform explicitly
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def run(args: argparse.Namespace) -> int:
    """Open the window as ``args`` say; returns the process exit code."""
    try:
        size = parse_size(args.size, (1920, 1080) if args.screenshot else None)
        parse_train_seconds(args.train_seconds)
    except ValueError as exc:
        print(f"visualnn: {exc}", file=sys.stderr)
        return 2
    if not _has_display():
        if not args.screenshot:
            print(
                "visualnn: no display found (DISPLAY and WAYLAND_DISPLAY are not set).\n"
                "  Run it on a desktop, or render a picture without one:\n"
                "  visualnn --train-seconds 3 --screenshot out.png --quit",
                file=sys.stderr,
            )
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from visualnn.presets import PRESETS

    try:
        selection = parse_selection(args.select) if args.select else None
    except ValueError as exc:
        print(f"visualnn: {exc}", file=sys.stderr)
        return 2
    if args.preset and args.preset not in PRESETS:
        print(
            f"visualnn: unknown preset '{args.preset}'; known: {', '.join(PRESETS)}",
            file=sys.stderr,
        )
        return 2
    app = _make_app()
    window, code = _open_window(args, size, selection)
    if window is None:
        return code
    script = Script(window, args, selection)
    script.begin()
    window.destroyed.connect(app.quit)
    app.exec()
    return script.code


def _make_app():
    """The QApplication with the app's names, text size and theme."""
    from PySide6 import QtWidgets

    from visualnn.ui import restyle
    from visualnn.ui.appearance import saved_choice
    from visualnn.ui.settings import APPLICATION, ORGANIZATION

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    name, points = saved_choice()  # View > Theme and Text size of the last run
    restyle.apply(app, name, points)
    return app


def _open_window(args: argparse.Namespace, size, selection):
    """``(window, 0)``: the window on the asked-for preset or file, shown and laid out; or
    ``(None, exit code)`` when a scripted run cannot go on (file not opened, impossible
    selection)."""
    from PySide6 import QtCore, QtWidgets

    from visualnn.presets import PRESETS
    from visualnn.ui.main_window import MainWindow

    headless = bool(args.screenshot)
    window = MainWindow(restore=not headless)
    window.setAttribute(QtCore.Qt.WA_DeleteOnClose)
    window.force_close = bool(args.quit)
    preset = args.preset or next(p for p in (*DEMO_PRESETS, *PRESETS) if p in PRESETS)
    window.session.load_preset(preset)
    if args.open and not window.files.open(args.open, ask=False) and args.quit:
        print(f"visualnn: could not open {args.open}: {window.banner.label.text()}",
              file=sys.stderr)  # fmt: skip
        window.close()
        return None, 1
    if selection and refuse_selection(window, selection):
        return None, 2
    if size:
        window.resize(*size)
    window.show()
    if size:
        QtWidgets.QApplication.processEvents()  # dock sizes stick once the window has its size
        window.reset_layout()  # the default arrangement is in proportion to the size
        window.resize(*size)  # re-adding the docks can have grown the window meanwhile
    if getattr(args, "present", False):
        # A picture of a given size stays that size; on a screen, presenting is full screen.
        window.presentation.set_on(True, full_screen=not (headless or size))
    if not headless and not args.open:
        window.offer_recovery()
    return window, 0


class Script:
    """What the command line asks of the window, in order: sound, live, train for a while,
    pause, select, save, screenshot, quit. ``code`` is the process's exit code."""

    def __init__(self, window, args: argparse.Namespace, selection) -> None:
        self.window, self.args, self.selection = window, args, selection
        self.code = 0

    def begin(self) -> None:
        from PySide6 import QtCore

        args = self.args
        self._sound()
        wait = args.train_seconds if args.train_seconds > 0 else 0.0
        if args.live:
            wait = max(wait, LIVE_SETTLE_S)  # a second of sound before a picture
        if args.train_seconds > 0:
            QtCore.QTimer.singleShot(0, self.window.controller.play)
        if wait > 0:
            QtCore.QTimer.singleShot(int(wait * 1000), self.finish)
        elif args.screenshot or args.quit or args.save:
            self.select()
            QtCore.QTimer.singleShot(SETTLE_MS, self.shoot)
        else:
            self.select()

    def _sound(self) -> None:
        args, window = self.args, self.window
        if args.source:
            from visualnn.audio.base import AudioError
            from visualnn.commands.listen import make_source

            try:
                window.docks["microphone"].widget().widget().set_source(make_source(args.source))
            except AudioError as exc:
                window.banner.show_message(f"Sound source {args.source}: {exc}", "error")
        if args.live:
            window.live_input.set_live(True)

    def finish(self) -> None:
        from PySide6 import QtCore

        if self.args.train_seconds > 0:
            self.window.controller.pause()
        self.select()
        QtCore.QTimer.singleShot(SETTLE_MS, self.shoot)

    def select(self) -> None:
        if self.selection is not None:
            layer, unit = self.selection
            self.window.session.inspect.select(layer, unit)

    def shoot(self) -> None:
        args, window = self.args, self.window
        if args.save and not window.files.save_as(Path(args.save)):
            print(f"visualnn: could not save {args.save}: {window.banner.label.text()}",
                  file=sys.stderr)  # fmt: skip
            self.code = 1
        if args.screenshot:
            from visualnn.ui.export import export_png

            try:
                path = export_png(window, Path(args.screenshot))
                print(f"visualnn: wrote {path}")
            except OSError as exc:
                print(f"visualnn: {exc}", file=sys.stderr)
                self.code = 1
        if args.quit:
            window.close()
