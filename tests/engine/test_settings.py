"""The one model of layer settings agrees with the layers, and says what it refuses."""

from __future__ import annotations

import inspect
import math

import pytest

from visualnn.engine import ACTIVATIONS, INITIALIZERS, LAYER_TYPES, SpecError, validate_spec
from visualnn.engine.settings import (
    ACTIVATION_NAMES,
    LAYERS,
    PAIR,
    REQUIRED,
    WHOLE,
    check,
    setting,
    whole_number,
)


def test_every_layer_type_has_one_entry_named_as_its_class():
    assert sorted(LAYERS) == sorted(LAYER_TYPES)
    for t, kind in LAYERS.items():
        assert kind.type == t and kind.title == LAYER_TYPES[t].__name__ and kind.description


@pytest.mark.parametrize("layer_type", list(LAYER_TYPES))
def test_the_settings_are_the_constructor_keywords_with_its_defaults(layer_type):
    params = inspect.signature(LAYER_TYPES[layer_type].__init__).parameters
    keywords = [k for k in params if k != "self"]
    kind = LAYERS[layer_type]
    assert keywords == [s.key for s in kind.settings + kind.derived]
    for s in kind.settings + kind.derived:
        default = params[s.key].default
        assert s.default == (REQUIRED if default is inspect.Parameter.empty else default), s.key


def test_choices_are_the_engine_registries():
    assert ACTIVATION_NAMES == tuple(ACTIVATIONS)
    assert setting("dense", "init").limits.words == tuple(INITIALIZERS)
    assert set(setting("dense", "activation").offered.words) < set(ACTIVATION_NAMES)


@pytest.mark.parametrize(
    "layer_type, s",
    [(t, s) for t, kind in LAYERS.items() for s in kind.settings + kind.derived],
    ids=lambda v: getattr(v, "key", v),
)
def test_the_editor_offers_part_of_what_the_engine_takes(layer_type, s):
    ed, lim = s.offered, s.limits
    assert lim.low <= ed.low and ed.high <= lim.high and set(ed.words) <= set(lim.words)
    if not s.required and s.default is not None:
        assert s.accepts(s.default), s.key
    assert s.label and s.help and s.wanted() and s.wanted(editor=True)
    if s.kind in (WHOLE, PAIR) and math.isfinite(ed.high):
        assert s.clean(int(ed.high)) == int(ed.high) and s.clean(int(ed.high) + 1) is None


def test_one_sentence_for_every_refusal():
    with pytest.raises(SpecError) as info:
        validate_spec([{"type": "conv2d", "out_channels": 2, "kernel_size": 0}], (1, 8, 8))
    assert str(info.value) == (
        "layer 1, Conv2D: kernel size must be a whole number from 1 to 1024 or a pair of them, "
        "got 0"
    )
    assert info.value.key == "kernel_size" and info.value.layer == 0
    with pytest.raises(SpecError, match=r"^Dense: filters") as info:
        check("conv2d", "out_channels", 0, "Dense")
    s = setting("conv2d", "kernel_size")
    assert s.refusal(16, "layer 2, Conv2D 3x3", editor=True) == (
        "layer 2, Conv2D 3x3: kernel size must be a whole number from 1 to 15 or a pair of "
        "them, got 16"
    )
    assert setting("conv1d", "padding").wanted() == (
        'a whole number from 0 to 1024, "valid" or "same"'
    )
    assert setting("dropout", "p").named == "dropout rate (p)"


def test_the_engine_takes_exact_types_and_the_editor_reads_what_was_typed():
    units = setting("dense", "units")
    assert not units.accepts(2.0) and not units.accepts("2") and not units.accepts(True)
    assert units.clean("12") == 12 and units.clean(12.0) == 12 and units.clean(2.5) is None
    padding = setting("conv2d", "padding")
    assert padding.clean(" Same ") == "same" and not padding.accepts(" Same ")
    assert not setting("maxpool2d", "padding").accepts("same")
    assert setting("conv1d", "kernel_size").accepts([3])
    assert not setting("conv1d", "kernel_size").accepts([3, 3])
    assert setting("conv2d", "kernel_size").clean([3, "5"]) == [3, 5]
    assert setting("maxpool2d", "stride").accepts(None) and not setting("conv2d", "stride").accepts(
        None
    )
    assert whole_number(7, 1, 5) is None and whole_number("4", 1, strict=False) == 4
