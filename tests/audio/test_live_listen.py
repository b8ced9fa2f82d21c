"""Live through a real PulseAudio virtual microphone: known sounds played into it are
recognised by ``visualnn listen`` as they are heard, and the quiet between them reads as
background (the demo classes stand in for spoken words here; bench-live does the words)."""

from __future__ import annotations

import numpy as np
import pytest

from visualnn.bench.live import _demo_model, listen_to, make_stream, score

pytestmark = pytest.mark.realaudio


def test_sounds_played_into_the_microphone_are_recognised_live(pulse_server, tmp_path):
    model, clips = _demo_model(tmp_path)
    stream, truth = make_stream(clips[:5], seed=1)
    lines, t_play, cpu = listen_to(pulse_server, model, stream)
    result = score(lines, truth, t_play)
    print(result)  # shown on failure
    assert result["predictions_per_second"] >= 8  # ~12.5 asked for; a loaded CI host lags
    assert result["hit_within_1s"] >= 0.8
    assert result["median_onset_to_correct_s"] is not None
    assert result["median_onset_to_correct_s"] <= 0.8
    assert result["quiet_read_as_background"] >= 0.8
    labels = {d["label"] for _, d in lines}
    assert labels <= {"whistle", "hum", "clap", "silence"} and len(labels) >= 3
    assert 0 < cpu < 1.5 and np.isfinite(cpu)
