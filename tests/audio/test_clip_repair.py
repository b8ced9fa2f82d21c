"""A damaged clip store never stops the app: each fault is repaired and reported in words.

Every test damages a real store on disk the way a crash, a full disk, a hand edit or a newer
visualnn would, opens it again, and checks what the user gets: the clips that still play,
the sentences of ``repair_report``, and a store that is sound at the next start.
"""

import json

import numpy as np
import pytest

from visualnn.audio.base import AudioError
from visualnn.audio.clips import ClipStore
from visualnn.audio.wavio import write_wav


def tone(f=440.0, n=4000, sr=16000):
    return (0.5 * np.sin(2 * np.pi * f * np.arange(n) / sr)).astype(np.float32)


@pytest.fixture
def store_dir(tmp_path):
    store = ClipStore(tmp_path / "sounds")
    store.add(tone(), 16000, "clap")
    store.add(tone(880), 16000, "whistle")
    store.add(tone(220), 16000, "clap")
    return tmp_path / "sounds"


def reopen(root):
    """Open like the app at start; the repair must hold, so a second open reports nothing."""
    store = ClipStore(root)
    again = ClipStore(root)
    assert again.repair_report == [] or again.read_only
    assert [c.id for c in again.clips] == [c.id for c in store.clips]
    return store


def all_play(store):
    for clip in store.clips:
        x, rate = store.load(clip)
        assert rate == clip.samplerate and x.shape == (clip.frames,)


def test_a_sound_store_opens_without_a_report(store_dir):
    store = reopen(store_dir)
    assert store.repair_report == [] and len(store) == 3 and store.read_only == ""


@pytest.mark.parametrize("cut", [0.5, 0.05])
def test_a_truncated_index_is_rebuilt_with_the_labels(store_dir, cut):
    text = (store_dir / "index.json").read_text()
    (store_dir / "index.json").write_text(text[: int(len(text) * cut)])
    store = reopen(store_dir)
    assert sorted(c.label for c in store.clips) == ["clap", "clap", "whistle"]
    assert store.repair_report[0].startswith("The list of recorded clips was damaged")
    assert (
        "Recovered 3 clips missing from the clip list (3 under their own label"
        in (store.repair_report[1])
    )
    assert (store_dir / "index.json.damaged").read_text() == text[: int(len(text) * cut)]
    assert json.loads((store_dir / "index.json").read_text())["version"] == 1
    all_play(store)


def test_an_index_that_is_not_a_clip_list_is_rebuilt(store_dir):
    (store_dir / "index.json").write_text('{"version": 1, "clips": {"a": 1}}')
    assert len(reopen(store_dir)) == 3


def test_a_deleted_clip_is_dropped_and_named(store_dir):
    first = ClipStore(store_dir).clips[0]
    (store_dir / first.file).unlink()
    store = reopen(store_dir)
    assert [c.label for c in store.clips] == ["whistle", "clap"]
    assert store.repair_report == [
        "Dropped 1 clip whose sound file is missing or unreadable (clap: 1)."
    ]
    all_play(store)


def test_a_clip_cut_inside_its_header_is_set_aside(store_dir):
    first = ClipStore(store_dir).clips[0]
    path = store_dir / first.file
    path.write_bytes(path.read_bytes()[:30])
    store = reopen(store_dir)
    assert first.id not in [c.id for c in store.clips] and len(store) == 2
    assert "(clap: 1)" in store.repair_report[0]
    assert (store_dir / "damaged" / path.name).exists() and not path.exists()


def test_a_clip_cut_inside_its_samples_is_kept_as_far_as_it_goes(store_dir):
    first = ClipStore(store_dir).clips[0]
    path = store_dir / first.file
    path.write_bytes(path.read_bytes()[:-2000])  # 1000 of 4000 frames lost
    store = reopen(store_dir)
    clip = store.get(first.id)
    assert clip.frames == 3000 and clip.label == "clap"
    assert store.repair_report == ["Kept 1 clip that had been cut short, as far as it goes."]
    all_play(store)


def test_unlisted_clips_are_recovered_with_or_without_a_label(store_dir):
    write_wav(store_dir / "clips" / "legacy.wav", tone(330), 16000)  # no label inside
    write_wav(store_dir / "clips" / "lost.wav", tone(330), 16000, info={"label": "hum"})
    (store_dir / "clips" / "junk.wav").write_bytes(b"not a wav")
    store = reopen(store_dir)
    labels = {c.id: c.label for c in store.clips}
    assert labels["legacy"] == "recovered" and labels["lost"] == "hum" and len(store) == 5
    assert store.repair_report == [
        "Recovered 2 clips missing from the clip list (1 under their own label, 1 as "
        "\u201crecovered\u201d).",
        "Moved 1 unreadable sound file to damaged/.",
    ]
    assert (store_dir / "damaged" / "junk.wav").exists()
    all_play(store)


def test_orphan_temporary_files_are_removed(store_dir):
    (store_dir / "index.json.a1b2c3.tmp").write_text("{half")
    (store_dir / "clips" / "x.wav.d4e5.tmp").write_bytes(b"RIFF")
    store = reopen(store_dir)
    assert store.repair_report == ["Removed 2 unfinished temporary files."]
    assert not list(store_dir.rglob("*.tmp")) and len(store) == 3


def test_damaged_entries_are_dropped(store_dir):
    doc = json.loads((store_dir / "index.json").read_text())
    doc["clips"] += [
        {"id": "x", "label": "evil", "file": "../../etc/passwd", "samplerate": 1, "frames": 1},
        {"id": "y", "label": "", "file": "clips/y.wav", "samplerate": 1, "frames": 1},
        {"id": "z"},
        "nonsense",
        dict(doc["clips"][0]),  # a duplicate
    ]
    (store_dir / "index.json").write_text(json.dumps(doc))
    store = reopen(store_dir)
    assert len(store) == 3
    assert store.repair_report == ["Dropped 5 damaged entries from the clip list."]


def test_a_newer_index_is_opened_read_only_and_never_overwritten(store_dir):
    doc = json.loads((store_dir / "index.json").read_text())
    doc["version"] = 99
    doc["clips"][0]["colour"] = "red"  # a field this version does not know
    text = json.dumps(doc)
    (store_dir / "index.json").write_text(text)
    (store_dir / "index.json.zz.tmp").write_text("a newer visualnn's business")
    store = ClipStore(store_dir)
    assert store.read_only and "newer visualnn (clip list version 99)" in store.read_only
    assert store.repair_report == [f"Read-only: {store.read_only}."]
    assert [c.label for c in store.clips] == ["whistle", "clap"]  # what can be understood
    for change in (
        lambda: store.add(tone(), 16000, "snap"),
        lambda: store.remove(store.clips[0].id),
        lambda: store.relabel("clap", "snap"),
        store.prune,
    ):
        with pytest.raises(AudioError, match="cannot change the recordings: these record"):
            change()
    assert (store_dir / "index.json").read_text() == text
    assert (store_dir / "index.json.zz.tmp").exists()
    all_play(store)


def test_an_empty_or_missing_index_with_no_clips_is_a_fresh_store(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "index.json").write_text("")
    store = ClipStore(tmp_path / "s")
    assert len(store) == 0 and "damaged" in store.repair_report[0]
    store.add(tone(), 16000, "clap")
    assert len(ClipStore(tmp_path / "s")) == 1
