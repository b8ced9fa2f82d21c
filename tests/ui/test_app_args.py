"""Command-line faults: each is one plain line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import argparse

import pytest

from visualnn import cli
from visualnn.engine import Sequential, validate_spec
from visualnn.ui import app as gui_app

XOR = [
    {"type": "dense", "units": 4, "activation": "tanh"},
    {"type": "dense", "units": 2, "activation": "softmax"},
]
CNN = [
    {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": "same"},
    {"type": "flatten"},
    {"type": "dense", "units": 3},
]


@pytest.fixture(autouse=True)
def keep_app_look(qapp):
    """``run`` applies the app's theme (font, style, palette) to the shared QApplication;
    put the test session's back so later tests measure widgets as they always do."""
    from visualnn.ui import theme

    font, palette, sheet = qapp.font(), qapp.palette(), qapp.styleSheet()
    style, points = qapp.style().name(), theme.BASE_POINT_SIZE
    yield
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)
    theme.BASE_POINT_SIZE = points


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("value", ["1e12", "-1", "nan", "inf", "-inf"])
def test_impossible_train_seconds_are_refused(capsys, value):
    parser = argparse.ArgumentParser()
    gui_app.add_arguments(parser)
    args = parser.parse_args(["--preset", "xor", f"--train-seconds={value}", "--quit"])
    assert gui_app.run(args) == 2
    line = one_line_error(capsys)
    assert line.startswith("visualnn: --train-seconds must be a number of seconds from 0 to")


def test_train_seconds_helper_accepts_sensible_values():
    assert gui_app.parse_train_seconds(0.0) == 0.0
    assert gui_app.parse_train_seconds(2.5) == 2.5
    with pytest.raises(ValueError, match="not 1e\\+12"):
        gui_app.parse_train_seconds(1e12)


def test_train_seconds_through_the_command(capsys):
    assert cli.main(["--train-seconds", "1e12", "--quit"]) == 2
    assert "--train-seconds" in one_line_error(capsys)


@pytest.mark.parametrize(
    "spec, shape, layer, unit, words",
    [
        (XOR, (2,), 98, None, ["--select 99", "2 layers, numbered 1 to 2"]),
        (XOR, (2,), 0, (4,), ["--select 1:4", "4 values (unit 0 to 3)"]),
        (CNN, (1, 6, 6), 0, (4,), ["4x6x6", "channel 0 to 3, row 0 to 5, column 0 to 5"]),
        (CNN, (1, 6, 6), 0, (1, 6, 0), ["--select 1:1,6,0", "row 0 to 5"]),
        (CNN, (1, 6, 6), 0, (1, 2), ["needs 1 or 3 numbers"]),
    ],
)
def test_check_selection_explains_what_is_out_of_range(spec, shape, layer, unit, words):
    model = Sequential.from_spec(spec, shape)
    for source in (model, validate_spec(spec, shape)):
        text = gui_app.check_selection(source, layer, unit)
        for word in words:
            assert word in text, text


def test_check_selection_accepts_what_exists():
    model = Sequential.from_spec(CNN, (1, 6, 6))
    for layer, unit in [(0, None), (0, (3,)), (0, (3, 5, 5)), (1, (143,)), (2, (2,))]:
        assert gui_app.check_selection(model, layer, unit) is None
    # A half-edited network: layers with unknown shapes only have their number checked.
    assert gui_app.check_selection([None, None], 1, (7,)) is None
    assert "2 layers" in gui_app.check_selection([None, None], 2, None)


def test_an_impossible_selection_exits_2(capsys):
    parser = argparse.ArgumentParser()
    gui_app.add_arguments(parser)
    args = parser.parse_args(["--preset", "xor", "--select", "99", "--quit", "--size", "800x600"])
    assert gui_app.run(args) == 2
    line = one_line_error(capsys)
    assert line.startswith("visualnn: --select 99: the network has")
    args = parser.parse_args(["--preset", "xor", "--select", "1:999", "--quit"])
    assert gui_app.run(args) == 2
    assert "--select 1:999: layer 1 gives" in one_line_error(capsys)
