"""RNN, GRU, LSTM: finite-difference gradients, shapes, settings, records, models, learning."""

from __future__ import annotations

import numpy as np
import pytest

from visualnn.engine import (
    GRU,
    LSTM,
    RNN,
    Param,
    Sequential,
    SpecError,
    TrainConfig,
    Trainer,
    clip_grad_norm,
    layer_from_config,
    validate_spec,
)
from visualnn.engine.gradcheck import assert_layer_gradients, cast_layer

KINDS = [
    (RNN, {"nonlinearity": "tanh"}),
    (RNN, {"nonlinearity": "relu"}),
    (GRU, {}),
    (LSTM, {}),
]
GATES = {RNN: 1, GRU: 3, LSTM: 4}


@pytest.mark.parametrize("cls, kw", KINDS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_gradients_match_finite_differences(cls, kw, bidirectional, return_sequences):
    rng = np.random.default_rng(1)
    layer = cls(3, bidirectional=bidirectional, return_sequences=return_sequences, **kw)
    layer.build((2, 5), rng)
    keys = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
    if bidirectional:
        keys |= {k + "_reverse" for k in keys}
    assert set(layer.params) == keys
    x = rng.standard_normal((2, 2, 5))
    errors = assert_layer_gradients(layer, x, rng, rtol=1e-5, atol=1e-8)
    assert set(errors) == keys | {"input"}


@pytest.mark.parametrize("cls, kw", KINDS)
def test_gradients_in_training_mode_without_input_gradient(cls, kw):
    rng = np.random.default_rng(2)
    layer = cls(4, return_sequences=True, **kw)
    layer.build((3, 4), rng)
    layer.need_input_grad = False
    x = rng.standard_normal((3, 3, 4))
    errors = assert_layer_gradients(layer, x, rng, training=True, rtol=1e-5, atol=1e-8)
    assert "input" not in errors
    assert layer.backward(np.ones((3, 4, 4))) is None


@pytest.mark.parametrize("cls, kw", KINDS)
def test_grads_accumulate_and_float32_stays_float32(cls, kw):
    rng = np.random.default_rng(3)
    layer = cls(5, bidirectional=True, input_size=3, **kw)
    x = rng.standard_normal((4, 3, 7)).astype(np.float32)
    g = rng.standard_normal((4, 10)).astype(np.float32)
    y = layer.forward(x, training=True)
    dx = layer.backward(g)
    assert y.dtype == dx.dtype == np.float32 and dx.shape == x.shape
    once = {k: v.copy() for k, v in layer.grads.items()}
    layer.forward(x, training=True)
    layer.backward(g)
    for k, v in layer.grads.items():
        assert v.dtype == np.float32
        np.testing.assert_allclose(v, 2 * once[k], rtol=1e-5, atol=1e-6)
    layer.zero_grad()
    assert not any(v.any() for v in layer.grads.values())
    # float64 input to a float32 layer runs in float32; a float64 layer stays float64
    assert layer.forward(x.astype(np.float64)).dtype == np.float32
    assert cast_layer(layer).forward(x).dtype == np.float64


@pytest.mark.parametrize("cls, kw", KINDS)
def test_parameters_follow_torch_layout_and_default_init(cls, kw):
    layer = cls(8, bidirectional=True, **kw)
    layer.build((5, 3), np.random.default_rng(0))
    g = GATES[cls]
    assert list(layer.params) == [
        f"{kind}_l0{sfx}"
        for sfx in ("", "_reverse")
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    ]
    assert layer.params["weight_ih_l0"].shape == (g * 8, 5)
    assert layer.params["weight_hh_l0_reverse"].shape == (g * 8, 8)
    assert layer.params["bias_hh_l0"].shape == (g * 8,)
    assert layer.num_params() == 2 * g * 8 * (5 + 8 + 2)
    for k, v in layer.params.items():
        assert v.dtype == np.float32 and np.abs(v).max() <= 1 / np.sqrt(8)
        if k.startswith("weight"):  # U(+-1/sqrt(hidden)), not a narrower range
            assert np.abs(v).max() > 0.8 / np.sqrt(8)
    zeros = cls(8, init="zeros", **kw)
    zeros.build((5, 3), np.random.default_rng(0))
    assert not any(v.any() for v in zeros.params.values())


@pytest.mark.parametrize("cls, kw", KINDS)
def test_output_shape_config_describe(cls, kw):
    layer = cls(6, **kw)
    assert layer.output_shape((4, 10)) == (6,)
    assert cls(6, return_sequences=True).output_shape((4, 10)) == (6, 10)
    assert cls(6, bidirectional=True, return_sequences=True).output_shape((4, 10)) == (12, 10)
    cfg = layer.config()
    assert cfg["hidden_size"] == 6 and cfg["type"] == cls.type_name
    again = layer_from_config({**cfg, "bidirectional": True, "return_sequences": True})
    assert again.config() == {**cfg, "bidirectional": True, "return_sequences": True}
    assert again.describe().endswith("\u00d72")


def test_describe_labels():
    assert GRU(64).describe() == "GRU 64"
    assert LSTM(32, bidirectional=True).describe() == "LSTM 32 \u00d72"
    assert RNN(16).describe() == "RNN 16"
    assert RNN(16, nonlinearity="relu").describe() == "RNN ReLU 16"
    assert RNN(4, nonlinearity="relu").config()["nonlinearity"] == "relu"
    assert "nonlinearity" not in RNN(4).config()


@pytest.mark.parametrize(
    "settings, key",
    [
        ({"hidden_size": 0}, "hidden_size"),
        ({"hidden_size": 5000}, "hidden_size"),
        ({"hidden_size": 2.5}, "hidden_size"),
        ({"hidden_size": True}, "hidden_size"),
        ({"hidden_size": 4, "bidirectional": "yes"}, "bidirectional"),
        ({"hidden_size": 4, "return_sequences": 1}, "return_sequences"),
        ({"hidden_size": 4, "init": "gauss"}, "init"),
    ],
)
@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_bad_settings_name_the_key(kind, settings, key):
    with pytest.raises(SpecError) as info:
        validate_spec([{"type": kind, **settings}], (3, 5))
    assert info.value.key == key and info.value.layer == 0
    assert str(info.value).startswith("layer 1, ")
    with pytest.raises(SpecError) as info:  # the constructor says it too
        layer_from_config({"type": kind, **settings})
    assert info.value.key == key


def test_rnn_nonlinearity_must_be_tanh_or_relu():
    with pytest.raises(SpecError, match=r"\(nonlinearity\) must be tanh or relu") as info:
        validate_spec([{"type": "rnn", "hidden_size": 4, "nonlinearity": "sigmoid"}], (3, 5))
    assert info.value.key == "nonlinearity"
    with pytest.raises(SpecError, match="unknown setting 'nonlinearity'"):
        validate_spec([{"type": "gru", "hidden_size": 4, "nonlinearity": "relu"}], (3, 5))


def test_rank_mistakes_are_explained_in_one_sentence():
    spec = [
        {"type": "conv1d", "out_channels": 8, "kernel_size": 3},
        {"type": "flatten"},
        {"type": "dense", "units": 800},
        {"type": "gru", "hidden_size": 64},
    ]
    with pytest.raises(SpecError) as info:
        validate_spec(spec, (4, 102))
    assert str(info.value) == (
        "layer 4, GRU 64: needs features x time as input, but gets a flat vector of 800 "
        "(put it before Flatten, after a Conv1D)"
    )
    assert info.value.layer == 3
    with pytest.raises(SpecError, match="layer 1, LSTM 8: needs features x time as input") as e:
        validate_spec([{"type": "lstm", "hidden_size": 8}], (1, 8, 8))
    assert "a Flatten from axis 1 to 2 makes a Conv2D's maps a sequence" in str(e.value)
    with pytest.raises(SpecError, match="needs features x time as input"):
        GRU(3).output_shape((10,))
    with pytest.raises(SpecError, match="was built for 3 input features but gets 4"):
        GRU(3, input_size=3).forward(np.zeros((2, 4, 5)))


def test_validate_infers_shapes_and_counts_parameters():
    spec = [
        {"type": "lstm", "hidden_size": 8, "bidirectional": True, "return_sequences": True},
        {"type": "gru", "hidden_size": 4, "return_sequences": True},
        {"type": "rnn", "hidden_size": 2, "nonlinearity": "relu"},
    ]
    shapes = validate_spec(spec, (5, 7))
    assert [s.out_shape for s in shapes] == [(16, 7), (4, 7), (2,)]
    assert [s.label for s in shapes] == ["LSTM 8 \u00d72", "GRU 4", "RNN ReLU 2"]
    want = [2 * 32 * (5 + 8 + 2), 12 * (16 + 4 + 2), 2 * (4 + 2 + 2)]
    assert [s.num_params for s in shapes] == want
    model = Sequential.from_spec(spec, (5, 7))
    assert [layer.num_params() for layer in model.layers] == want


@pytest.mark.parametrize("cls, kw", KINDS)
def test_record_keeps_every_state_for_the_views(cls, kw):
    rng = np.random.default_rng(4)
    layer = cls(3, bidirectional=True, return_sequences=True, input_size=2, **kw)
    layer.record = True
    x = rng.standard_normal((4, 2, 6)).astype(np.float32)
    y = layer.forward(x, training=True)
    states = layer.last_states
    assert set(states) == set(cls.state_names)
    for v in states.values():
        assert v.shape == (4, 6, 6)
    np.testing.assert_array_equal(states["h"], y)
    assert layer.last_out is y
    if cls is LSTM:
        h = states["o"] * np.tanh(states["c"])
        np.testing.assert_allclose(states["h"], h, rtol=1e-5, atol=1e-6)
    if cls is GRU:
        assert ((states["z"] > 0) & (states["z"] < 1)).all()
    kept = {k: v.copy() for k, v in states.items()}
    layer.forward(x * 0, training=True)  # a new forward gives new arrays, the old stay
    for k, v in kept.items():
        np.testing.assert_array_equal(states[k], v)


def test_eval_output_is_not_overwritten_by_the_next_forward():
    rng = np.random.default_rng(5)
    layer = GRU(3, return_sequences=True, input_size=2)
    x = rng.standard_normal((2, 2, 4)).astype(np.float32)
    y = layer.forward(x)
    kept = y.copy()
    layer.forward(x * 2, training=True)
    np.testing.assert_array_equal(y, kept)


def test_clip_grad_norm_scales_recurrent_gradients():
    rng = np.random.default_rng(6)
    model = Sequential.from_spec(
        [{"type": "lstm", "hidden_size": 4, "bidirectional": True}, {"type": "dense", "units": 2}],
        (3, 5),
    )
    x = rng.standard_normal((8, 3, 5)).astype(np.float32)
    model.zero_grad()
    model.backward(model.forward(x) * 100)
    params = model.parameters()
    names = [p.name for p in params]
    assert "L0.weight_hh_l0_reverse" in names and "L1.weight" in names
    before = {p.name: p.grad.copy() for p in params}
    total = clip_grad_norm(params, 0.5)
    want = np.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in before.values()))
    assert total == pytest.approx(want, rel=1e-5) and total > 0.5
    after = np.sqrt(sum(float(np.sum(p.grad.astype(np.float64) ** 2)) for p in params))
    assert after == pytest.approx(0.5, rel=1e-4)
    for p in params:  # clipped in place: the layer's own arrays
        np.testing.assert_allclose(p.grad, before[p.name] * (0.5 / (total + 1e-6)), rtol=1e-5)
    grads = model.layers[0].grads["weight_ih_l0_reverse"]
    assert any(p.grad is grads for p in params)
    assert isinstance(params[0], Param)


CRNN = [
    {"type": "conv1d", "out_channels": 32, "kernel_size": 5, "padding": "same",
     "activation": "relu"},
    {"type": "gru", "hidden_size": 64},
    {"type": "dense", "units": 11},
]  # fmt: skip


def test_crnn_builds_trains_and_round_trips_as_a_project(tmp_path):
    from visualnn.project import Project, load_project, save_project

    model = Sequential.from_spec(CRNN, (40, 101), seed=3)
    assert model.output_shape == (11,)
    assert model.to_spec() == CRNN
    rng = np.random.default_rng(7)
    x = rng.standard_normal((24, 40, 101)).astype(np.float32)
    y = rng.integers(0, 11, 24)
    config = TrainConfig(epochs=2, batch_size=8, optimizer="adam", lr=0.01, clip_norm=1.0)
    trainer = Trainer(model, (x, y), config=config)
    trainer.run()
    assert len(trainer.history) == 2 and np.isfinite(trainer.history[-1]["train_loss"])
    path = tmp_path / "crnn.vnn"
    save_project(path, Project.from_model(model, config=config.to_dict()))
    again = load_project(path).build_model()
    for a, b in zip(model.get_weights(), again.get_weights(), strict=True):
        assert set(a) == set(b)
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
    np.testing.assert_allclose(again.predict(x[:4]), model.predict(x[:4]), rtol=1e-6)
    copy = model.copy()
    np.testing.assert_array_equal(copy.forward(x[:2]), model.forward(x[:2]))


def test_set_weights_refuses_wrong_recurrent_keys():
    model = Sequential.from_spec([{"type": "gru", "hidden_size": 3}], (2, 4))
    weights = model.get_weights()
    weights[0]["weight_ih_l0_reverse"] = weights[0].pop("weight_ih_l0")
    with pytest.raises(SpecError, match="the layer needs"):
        model.set_weights(weights)


def test_gru_learns_to_remember_the_first_bit():
    """Class = the first of 12 noisy bits: the answer must travel through 11 steps."""
    rng = np.random.default_rng(0)
    n, t = 512, 12
    bits = rng.integers(0, 2, (n, t))
    x = (bits + 0.2 * rng.standard_normal((n, t)))[:, None, :].astype(np.float32)
    y = bits[:, 0]
    model = Sequential.from_spec(
        [{"type": "gru", "hidden_size": 8}, {"type": "dense", "units": 2}], (1, t), seed=0
    )
    config = TrainConfig(epochs=15, batch_size=32, optimizer="adam", lr=0.02, seed=0)
    Trainer(model, (x[:400], y[:400]), config=config).run()
    acc = float(np.mean(model.predict(x[400:]).argmax(axis=1) == y[400:]))
    assert acc >= 0.95, f"held-out accuracy {acc:.3f}"
