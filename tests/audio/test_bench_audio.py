"""The feature benchmark runs and reports multiples of real time (no timing assertions)."""

import argparse
import json

from visualnn.bench import audio as bench


def test_feature_benchmark_reports_every_figure():
    result = bench.feature_benchmark(seconds=0.5, repeats=1)
    for key in ("stft_x_realtime", "log_mel_x_realtime", "streaming_x_realtime"):
        assert result[key] > 0
    assert result["samplerate"] == 48000 and result["n_fft"] == 2048 and result["hop"] == 256


def test_cli_hooks(capsys):
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    assert bench.run(parser.parse_args(["--audio-seconds", "0.3", "--json"])) == 0
    assert json.loads(capsys.readouterr().out)["seconds_of_audio"] == 0.3
    assert bench.run(parser.parse_args(["--audio-seconds", "0.3"])) == 0
    assert "x real time" in capsys.readouterr().out
