"""Clip store: round trip, clip-before-index ordering, recovery after an interrupted write."""

import os

import numpy as np
import pytest

from visualnn.audio import clips as clipsmod
from visualnn.audio.base import AudioError
from visualnn.audio.clips import ClipStore


def tone(n=8000, f=440.0, sr=16000):
    return (0.5 * np.sin(2 * np.pi * f * np.arange(n) / sr)).astype(np.float32)


def test_round_trip(tmp_path):
    store = ClipStore(tmp_path / "sounds")
    a = store.add(tone(), 16000, "clap", meta={"device": "USB"})
    b = store.add(tone(f=880.0), 16000, "whistle")
    store.add(tone(100), 16000, "clap")
    assert store.labels == ["clap", "whistle"] and len(store) == 3
    again = ClipStore(tmp_path / "sounds")
    assert [c.id for c in again.clips] == [c.id for c in store.clips]
    x, sr = again.load(a.id)
    assert sr == 16000 and again.get(a.id).meta == {"device": "USB"}
    np.testing.assert_allclose(x, tone(), atol=1 / 32768)
    assert again.get(b.id).duration == pytest.approx(0.5)
    again.remove(a.id)
    assert not (tmp_path / "sounds" / a.file).exists()
    assert len(ClipStore(tmp_path / "sounds")) == 2
    with pytest.raises(AudioError, match="needs a label"):
        store.add(tone(), 16000, "  ")


def test_clip_is_on_disk_before_the_index_mentions_it(tmp_path, monkeypatch):
    store = ClipStore(tmp_path)
    order = []
    real_replace = os.replace

    def spy(src, dst):
        order.append(os.path.basename(dst))
        real_replace(src, dst)

    monkeypatch.setattr(clipsmod.os, "replace", spy)
    clip = store.add(tone(), 16000, "a")
    assert order == [os.path.basename(clip.file), "index.json"]
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_a_failed_index_write_keeps_the_old_index(tmp_path, monkeypatch):
    store = ClipStore(tmp_path)
    store.add(tone(), 16000, "a")
    before = (tmp_path / "index.json").read_text()

    def boom(self):
        raise OSError("disk full")

    monkeypatch.setattr(ClipStore, "_save_index", boom)
    with pytest.raises(OSError):
        store.add(tone(), 16000, "b")
    assert len(store) == 1
    assert (tmp_path / "index.json").read_text() == before
    monkeypatch.undo()
    fresh = ClipStore(tmp_path)  # the WAV of the failed add carries its label: recovered
    assert [c.label for c in fresh.clips] == ["a", "b"]
    assert fresh.repair_report == [
        "Recovered 1 clip missing from the clip list (1 under their own label, 0 as "
        "\u201crecovered\u201d)."
    ]
    assert ClipStore(tmp_path).repair_report == []  # repaired once, for good


def test_relabel_moves_a_whole_class_and_persists(tmp_path):
    store = ClipStore(tmp_path / "sounds")
    store.add(tone(), 16000, "clap")
    store.add(tone(), 16000, "clap")
    store.add(tone(), 16000, "hum")
    assert store.relabel("clap", "snap") == 2
    assert store.relabel("nothing", "x") == 0
    assert ClipStore(tmp_path / "sounds").labels == ["snap", "hum"]  # recording order kept
    (tmp_path / "sounds" / "index.json").unlink()  # the labels inside the WAVs followed
    assert sorted(ClipStore(tmp_path / "sounds").labels) == ["hum", "snap"]
