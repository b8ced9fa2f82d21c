"""`visualnn spectrogram`: the microphone panel in its own window, no network needed.

Also the headless screenshot path: ``--source tone --seconds 3 --screenshot out.png --quit``
renders offscreen (QT_QPA_PLATFORM=offscreen) after the sound has run for a while.
"""

from __future__ import annotations

import argparse
import os
import sys

from PySide6 import QtCore, QtWidgets

from visualnn.ui import restyle


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``spectrogram`` sub-command's flags to ``parser``."""
    parser.add_argument(
        "--source",
        choices=["mic", "tone", "file"],
        default=None,
        help="sound source (default: microphone if there is one, else tone)",
    )
    parser.add_argument("--file", metavar="PATH", help="WAV file for --source file")
    parser.add_argument(
        "--tone-hz",
        type=float,
        default=440.0,
        metavar="HZ",
        help="frequency of the synthetic tone (default 440)",
    )
    parser.add_argument(
        "--synth",
        default="tone",
        choices=["tone", "chirp", "noise", "clicks", "chord"],
        help="kind of synthetic sound for --source tone",
    )
    parser.add_argument("--size", default="1280x720", metavar="WxH", help="window size")
    parser.add_argument(
        "--seconds",
        type=float,
        default=0.0,
        metavar="S",
        help="run this long before --screenshot / --quit",
    )
    parser.add_argument("--screenshot", metavar="PNG", help="save the window to this PNG")
    parser.add_argument("--settings", action="store_true", help="show the settings group open")
    parser.add_argument("--scale", choices=["linear", "log", "mel"], help="frequency scale")
    parser.add_argument("--quit", action="store_true",
                        help="quit after --seconds (and the screenshot)")  # fmt: skip


class SpectrogramWindow(QtWidgets.QMainWindow):
    """A window holding one :class:`MicrophonePanel`; closing it stops the sound."""

    def __init__(self, source: str | None = None, **options):
        super().__init__()
        from visualnn.ui.panels.microphone import MicrophonePanel

        self.setWindowTitle("visualnn: spectrogram")
        self.panel = MicrophonePanel(source=source)
        if options:
            self.panel.set_source(source or "tone", **options)
        self.setCentralWidget(self.panel)

    def closeEvent(self, event):  # noqa: N802 (Qt override)
        self.panel.stop()
        super().closeEvent(event)


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"--size must look like 1280x720, not {text!r}") from None
    return w, h


def run(args: argparse.Namespace) -> int:
    """Open the spectrogram window; returns the process exit code."""
    if args.screenshot and args.quit:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    restyle.apply(app)
    options = {}
    if args.source == "file":
        if not args.file:
            print("--source file needs --file PATH", file=sys.stderr)
            return 2
        options["path"] = args.file
    elif args.source == "tone":
        options.update(frequency=args.tone_hz, synth=args.synth)
    window = SpectrogramWindow(args.source, **options)
    if args.scale:
        window.panel.settings.scale.setCurrentIndex(
            window.panel.settings.scale.findData(args.scale)
        )
    window.panel.settings_button.setChecked(bool(args.settings))
    window.resize(*_parse_size(args.size))
    window.show()
    window.panel.start()

    def finish():
        code = 0
        if args.screenshot:
            os.makedirs(os.path.dirname(os.path.abspath(args.screenshot)), exist_ok=True)
            if not window.grab().save(args.screenshot):
                print(f"could not write {args.screenshot}", file=sys.stderr)
                code = 1
        if args.quit or args.screenshot:
            window.close()
            app.exit(code)

    if args.screenshot or args.quit:
        QtCore.QTimer.singleShot(int(args.seconds * 1000), finish)
    result = app.exec()
    window.panel.stop()
    return int(result)


def main(argv=None) -> int:
    """Stand-alone entry point (``python -m visualnn.ui.spectrogram_app``)."""
    parser = argparse.ArgumentParser(prog="visualnn spectrogram", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
