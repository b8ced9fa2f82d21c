"""Spec validation: every mistake gives one SpecError naming the layer and the numbers."""

import pytest

from visualnn.engine import (
    LAYER_TYPES,
    Sequential,
    SpecError,
    layer_from_config,
    validate_spec,
)

D = {"type": "dense", "units": 4}
CONV = {"type": "conv2d", "out_channels": 4, "kernel_size": 3}


def error(spec, shape=(2,)):
    with pytest.raises(SpecError) as info:
        validate_spec(spec, shape)
    return info.value


def test_valid_spec_infers_every_shape_and_param_count():
    spec = [
        {
            "type": "conv2d",
            "out_channels": 8,
            "kernel_size": 3,
            "padding": "same",
            "activation": "relu",
        },
        {"type": "maxpool2d", "kernel_size": 2},
        {"type": "conv2d", "out_channels": 16, "kernel_size": 3},
        {"type": "flatten"},
        {"type": "dropout", "p": 0.25},
        {"type": "dense", "units": 10, "activation": "softmax"},
    ]
    shapes = validate_spec(spec, (1, 28, 28))
    assert [s.out_shape for s in shapes] == [
        (8, 28, 28),
        (8, 14, 14),
        (16, 12, 12),
        (2304,),
        (2304,),
        (10,),
    ]
    assert [s.num_params for s in shapes] == [80, 0, 1168, 0, 0, 23050]
    assert shapes[2].in_shape == (8, 14, 14)
    assert shapes[0].index == 0 and shapes[0].type == "conv2d"


def test_conv1d_and_activation_layers():
    spec = [
        {"type": "conv1d", "out_channels": 4, "kernel_size": 5, "stride": 2},
        {"type": "leaky_relu", "negative_slope": 0.1},
        {"type": "flatten"},
        {"type": "tanh"},
        {"type": "sigmoid"},
        {"type": "identity"},
        {"type": "relu"},
        {"type": "softmax"},
    ]
    shapes = validate_spec(spec, (3, 21))
    assert shapes[0].out_shape == (4, 9)
    assert shapes[-1].out_shape == (36,)


def test_registry_has_every_type():
    expected = {
        "dense",
        "conv1d",
        "conv2d",
        "maxpool2d",
        "avgpool2d",
        "flatten",
        "dropout",
        "relu",
        "leaky_relu",
        "sigmoid",
        "tanh",
        "softmax",
        "identity",
        "rnn",
        "gru",
        "lstm",
    }
    assert set(LAYER_TYPES) == expected


def test_kernel_larger_than_input_names_layer_and_sizes():
    spec = [
        CONV,
        {"type": "maxpool2d", "kernel_size": 2},
        {"type": "conv2d", "out_channels": 4, "kernel_size": 5},
    ]
    e = error(spec, (1, 8, 8))
    assert e.layer == 2
    msg = str(e)
    assert msg.startswith("layer 3, Conv2D")
    assert "input is 3x3" in msg and "smaller than the kernel" in msg and "5x5" in msg


def test_unknown_type_lists_known_types():
    e = error([D, {"type": "dens", "units": 3}])
    assert e.layer == 1 and e.key == "type"
    assert "layer 2" in str(e) and "'dens'" in str(e) and "dense, conv1d" in str(e)


def test_missing_type():
    e = error([{"units": 3}])
    assert "layer 1" in str(e) and "no 'type'" in str(e)


def test_unknown_key_suggests_the_close_one():
    e = error([D, {"type": "dense", "unit": 3}])
    assert str(e) == "layer 2, Dense: unknown setting 'unit' (did you mean 'units'?)"
    assert e.layer == 1 and e.key == "unit"


def test_unknown_key_without_close_match_lists_settings():
    e = error([{"type": "relu", "xyz": 1}])
    assert "it takes no settings" in str(e)
    e = error([{"type": "flatten", "xyz": 1}])
    assert "it takes start_dim, end_dim" in str(e)
    e = error([{"type": "dense", "units": 2, "zzzz": 1}])
    assert "it takes units" in str(e)


@pytest.mark.parametrize(
    "bad, key",
    [
        ({"type": "dense", "units": 0}, "units"),
        ({"type": "dense", "units": "abc"}, "units"),
        ({"type": "dense", "units": 2.5}, "units"),
        ({"type": "dense", "units": True}, "units"),
        ({"type": "dense", "units": 3, "activation": "relux"}, "activation"),
        ({"type": "dense", "units": 3, "init": "gaussian"}, "init"),
        ({"type": "dropout", "p": 1.0}, "p"),
        ({"type": "dropout", "p": "half"}, "p"),
        ({"type": "leaky_relu", "negative_slope": "x"}, "negative_slope"),
    ],
)
def test_bad_values_name_the_setting(bad, key):
    e = error([D, bad])
    assert e.layer == 1 and e.key == key
    assert str(e).startswith("layer 2") and key in str(e)


@pytest.mark.parametrize(
    "bad, key",
    [
        ({**CONV, "kernel_size": 0}, "kernel_size"),
        ({**CONV, "kernel_size": [3, 3, 3]}, "kernel_size"),
        ({**CONV, "stride": -1}, "stride"),
        ({**CONV, "padding": "full"}, "padding"),
        ({**CONV, "padding": -1}, "padding"),
        ({**CONV, "dilation": 0}, "dilation"),
        ({**CONV, "out_channels": None}, "out_channels"),
    ],
)
def test_bad_conv_settings(bad, key):
    e = error([bad], (1, 8, 8))
    assert e.layer == 0 and e.key == key and str(e).startswith("layer 1")


def test_dense_after_conv_without_flatten_says_add_flatten():
    e = error([CONV, D], (1, 8, 8))
    assert e.layer == 1 and "Flatten" in str(e) and "4x6x6" in str(e)


def test_conv_on_flat_input():
    e = error([CONV], (64,))
    assert "layer 1" in str(e) and "channels x height x width" in str(e)


def test_dilated_kernel_and_padding_in_message():
    e = error([{**CONV, "kernel_size": 3, "dilation": 3}], (1, 6, 6))
    assert "dilated kernel" in str(e) and "7x7" in str(e)
    shapes = validate_spec([{**CONV, "kernel_size": 5, "padding": 1}], (1, 3, 3))
    assert shapes[0].out_shape == (4, 1, 1)


def test_pool_bigger_than_input():
    e = error([{"type": "maxpool2d", "kernel_size": 4}], (1, 3, 3))
    assert "input is 3x3" in str(e) and "4x4" in str(e)


def test_empty_and_malformed_specs():
    assert "no layers" in str(error([]))
    assert "list" in str(error({"type": "dense"}))
    assert "layer 1" in str(error(["dense"]))


@pytest.mark.parametrize("shape", [(), (0,), (2, -1), ("a",), None, (1, 2, 3, 4), (2.0,)])
def test_bad_input_shape(shape):
    e = error([D], shape)
    assert "input shape" in str(e)


def test_layer_from_config_drops_derived_keys_and_round_trips():
    layer = layer_from_config({"type": "dense", "units": 3, "in_features": 7})
    assert not layer.params  # built later by the model, with its seed
    cfg = {"type": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": "same"}
    assert layer_from_config(cfg).config()["type"] == "conv2d"


def test_mismatched_in_features_is_reported():
    e = error([{"type": "dense", "units": 3, "in_features": 5}], (4,))
    assert "in_features is 5" in str(e)


def test_layer_messages_name_the_layer_once():
    spec = [{"type": "conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": "same"}]
    e = error(spec, (1, 8, 8))
    assert str(e).startswith("layer 1, Conv2D 3x3: padding 'same'") and e.key == "padding"
    e = error([{"type": "avgpool2d", "kernel_size": 2, "padding": 2}], (1, 8, 8))
    assert str(e).count("Pool") == 1 and "padding 2" in str(e)


def test_absurdly_big_layer_is_refused_before_allocating():
    e = error([{"type": "dense", "units": 60_000}], (1000,))
    assert "60,060,000 parameters" in str(e)


HUGE = 10**9


@pytest.mark.parametrize(
    "layer, shape, words",
    [
        ({"type": "conv2d", "out_channels": 2, "kernel_size": 3, "dilation": HUGE,
          "padding": "same"}, (1, 8, 8), ["dilation", "from 1 to 1024"]),
        ({"type": "conv2d", "out_channels": 2, "kernel_size": HUGE, "padding": "same"},
         (1, 8, 8), ["kernel size", "from 1 to 1024"]),
        ({"type": "conv2d", "out_channels": 2, "kernel_size": 3, "stride": [1, HUGE]},
         (1, 8, 8), ["stride", "from 1 to 1024"]),
        ({"type": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": HUGE},
         (1, 8, 8), ["padding", "from 0 to 1024"]),
        ({"type": "conv1d", "out_channels": 2, "kernel_size": 3, "dilation": HUGE,
          "padding": "same"}, (1, 8), ["dilation", "from 1 to 1024"]),
        ({"type": "maxpool2d", "kernel_size": 2, "stride": HUGE}, (1, 8, 8), ["stride"]),
        ({"type": "dense", "units": 10**12}, (4,), ["units", "from 1 to 65536"]),
        ({"type": "conv2d", "out_channels": 10**12, "kernel_size": 1}, (1, 8, 8),
         ["out_channels", "from 1 to 65536"]),
        ({"type": "leaky_relu", "negative_slope": float("inf")}, (4,), ["finite number"]),
        # Each setting within its range, together too big: the size is explained.
        ({"type": "conv2d", "out_channels": 2, "kernel_size": 1024, "dilation": 1024,
          "padding": "same"}, (1, 8, 8), ["padded input", "up to 16,777,216"]),
        ({"type": "conv2d", "out_channels": 1024, "kernel_size": 3, "padding": "same"},
         (1, 200, 200), ["output would hold 40,960,000 values"]),
        ({"type": "conv2d", "out_channels": 1, "kernel_size": 64, "padding": "same"},
         (16, 100, 100), ["unfolded patches"]),
    ],
)  # fmt: skip
def test_huge_sizes_are_explained_on_the_layer_before_anything_allocates(layer, shape, words):
    import tracemalloc

    tracemalloc.start()
    try:
        e = error([layer], shape)
        with pytest.raises(SpecError) as info:
            Sequential.from_spec([layer], shape)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20  # refused on arithmetic, not after allocating
    assert str(info.value) == str(e) and e.layer == 0
    text = str(e)
    assert text.startswith("layer 1, ") and "\n" not in text
    for word in words:
        assert word in text, text


@pytest.mark.parametrize("shape", [(10**12,), (1, 10**5, 10**5)])
def test_a_huge_input_shape_is_explained(shape):
    e = error([{"type": "dense", "units": 2}], shape)
    assert "values per sample" in str(e) and "up to 16,777,216" in str(e)


def test_conv1d_messages():
    e = error([{"type": "conv1d", "out_channels": 4, "kernel_size": 9}], (1, 8))
    assert "input is 8, smaller than the kernel (9)" in str(e)
    e = error([{"type": "conv1d", "out_channels": 4, "kernel_size": [3, 3]}], (1, 8))
    assert "kernel size must be a whole number from 1 to 1024, got [3, 3]" in str(e)


def test_flatten_merges_the_axes_it_is_told_and_explains_axes_that_do_not_fit():
    conv = {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": "same"}
    seq = {"type": "flatten", "start_dim": 1, "end_dim": 2}
    shapes = validate_spec([conv, seq, {"type": "gru", "hidden_size": 5}], (1, 8, 10))
    assert [s.out_shape for s in shapes] == [(4, 8, 10), (32, 10), (5,)]
    model = Sequential.from_spec([conv, seq], (1, 8, 10))
    assert model.to_spec()[1] == seq and model.layers[1].describe() == "Flatten 1-2"
    assert Sequential.from_spec([{"type": "flatten"}], (2, 3)).to_spec() == [{"type": "flatten"}]
    e = error([{"type": "flatten", "start_dim": 2, "end_dim": 3}], (8, 10))
    assert "layer 1" in str(e) and "axes 2 to 3 do not fit its input 8x10" in str(e)
    e = error([{"type": "flatten", "start_dim": 2, "end_dim": 1}], (1, 8, 10))
    assert "do not fit" in str(e)
    e = error([{"type": "flatten", "start_dim": 0}])
    assert "from axis (start_dim) must be a whole number from 1 to 8, got 0" in str(e)
