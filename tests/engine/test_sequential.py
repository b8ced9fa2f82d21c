"""Sequential: spec round trip, seeded determinism, recording, weights, input checks."""

import numpy as np
import pytest

from visualnn.engine import (
    CrossEntropyLoss,
    LayerRecord,
    Sequential,
    SpecError,
    TrainConfig,
    Trainer,
)

MLP = [
    {"type": "dense", "units": 5, "activation": "tanh"},
    {"type": "dropout", "p": 0.2},
    {"type": "dense", "units": 3},
]
CNN = [
    {
        "type": "conv2d",
        "out_channels": 4,
        "kernel_size": 3,
        "padding": "same",
        "activation": "relu",
    },
    {"type": "maxpool2d", "kernel_size": 2},
    {"type": "flatten"},
    {"type": "dense", "units": 3, "activation": "softmax"},
]


def data(shape, n=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, *shape)).astype(np.float32), rng.integers(0, 3, n)


@pytest.mark.parametrize("spec, shape", [(MLP, (4,)), (CNN, (1, 6, 6))])
def test_to_spec_round_trip(spec, shape):
    model = Sequential.from_spec(spec, shape, seed=3)
    assert model.to_spec() == spec
    again = Sequential.from_spec(model.to_spec(), shape, seed=3)
    for a, b in zip(model.get_weights(), again.get_weights(), strict=True):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
    assert model.output_shape == (3,)


def train_three_steps(spec, shape, seed):
    x, y = data(shape)
    model = Sequential.from_spec(spec, shape, seed=seed)
    cfg = TrainConfig(lr=0.1, optimizer="adam", batch_size=8, epochs=1, seed=seed)
    reports = list(Trainer(model, (x, y), config=cfg).steps())
    return model, reports


@pytest.mark.parametrize("spec, shape", [(MLP, (4,)), (CNN, (1, 6, 6))])
def test_same_seed_is_bit_identical_after_training(spec, shape):
    m1, r1 = train_three_steps(spec, shape, seed=7)
    m2, r2 = train_three_steps(spec, shape, seed=7)
    assert [r.loss for r in r1[:3]] == [r.loss for r in r2[:3]]
    for a, b in zip(m1.get_weights(), m2.get_weights(), strict=True):
        for k in a:
            assert a[k].tobytes() == b[k].tobytes()
    m3, _ = train_three_steps(spec, shape, seed=8)
    assert not np.array_equal(m1.get_weights()[0]["weight"], m3.get_weights()[0]["weight"])


def test_recording_forward_keeps_copies():
    model = Sequential.from_spec(CNN, (1, 6, 6))
    x, _ = data((1, 6, 6), n=2)
    out = model.forward(x, record=True)
    assert len(model.records) == 4
    r0 = model.records[0]
    assert isinstance(r0, LayerRecord)
    np.testing.assert_array_equal(r0.input, x)
    assert r0.pre.shape == r0.out.shape == (2, 4, 6, 6)
    assert (r0.pre < 0).any() and (r0.out >= 0).all()  # pre-activation before ReLU
    np.testing.assert_allclose(r0.out, np.maximum(r0.pre, 0))
    np.testing.assert_allclose(model.records[-1].out.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(model.records[-1].out, out)
    kept = model.records[0].out.copy()
    model.forward(x * 2, training=True)  # scratch buffers are reused, records stay intact
    np.testing.assert_array_equal(model.records[0].out, kept)


def test_backward_records_output_gradients_and_input_grad_flag():
    model = Sequential.from_spec(MLP, (4,))
    x, _ = data((4,), n=3)
    out = model.forward(x)
    assert model.backward(np.ones_like(out), record=True) is None  # input grad off
    assert [g.shape for g in model.output_grads] == [(3, 5), (3, 5), (3, 3)]
    model.input_grad = True
    model.zero_grad()
    model.forward(x)
    gx = model.backward(np.ones_like(out))
    assert gx.shape == (3, 4)


def test_get_set_weights_copies_and_checks():
    a = Sequential.from_spec(MLP, (4,), seed=1)
    b = Sequential.from_spec(MLP, (4,), seed=2)
    w = a.get_weights()
    assert w[1] == {}  # dropout has no parameters
    w[0]["weight"][0, 0] = 99  # a copy: the model is unchanged
    assert a.get_weights()[0]["weight"][0, 0] != 99
    params_before = b.parameters()[0].value
    b.set_weights(a.get_weights())
    assert b.parameters()[0].value is params_before  # written in place
    x, _ = data((4,))
    np.testing.assert_array_equal(a.forward(x), b.forward(x))
    bad = a.get_weights()
    bad[2]["weight"] = np.zeros((2, 5), np.float32)
    before = b.get_weights()
    with pytest.raises(SpecError, match="layer 3"):
        b.set_weights(bad)
    np.testing.assert_array_equal(b.get_weights()[0]["weight"], before[0]["weight"])
    with pytest.raises(SpecError, match="for 2 layers"):
        b.set_weights(a.get_weights()[:2])
    with pytest.raises(SpecError):
        b.set_weights([{"weight": w[0]["weight"]}, {}, w[2]])


def test_copy_is_independent():
    a = Sequential.from_spec(CNN, (1, 6, 6), seed=4)
    b = a.copy()
    x, _ = data((1, 6, 6), n=2)
    np.testing.assert_array_equal(a.predict(x), b.predict(x))
    b.parameters()[0].value += 1
    assert not np.array_equal(a.predict(x), b.predict(x))


def test_summary_table():
    text = Sequential.from_spec(CNN, (1, 6, 6)).summary()
    assert "Conv2D" in text and "4x6x6" in text and "MaxPool" in text
    assert "total parameters: 151" in text  # 4*9+4 + 36*3+3


def test_predict_gives_probabilities_for_cross_entropy_on_logits():
    model = Sequential.from_spec(MLP, (4,))
    x, _ = data((4,), n=5)
    raw = model.predict(x)
    model.loss = "cross_entropy"
    p = model.predict(x)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(p.argmax(1), raw.argmax(1))


@pytest.mark.parametrize(
    "x, match",
    [
        (np.zeros((2, 5), np.float32), "shape 2x5"),
        (np.zeros(4, np.float32), "add a batch axis"),
        (np.array([["a"] * 4]), "numbers"),
        (np.array([[1.0, np.nan, 0, 0]]), "NaN"),
        (np.array([[1.0, np.inf, 0, 0]]), "infinite"),
        (np.zeros((0, 4), np.float32), "empty"),
        ([[1, 2], [3]], "regular array"),
    ],
)
def test_bad_inputs_raise_spec_error(x, match):
    model = Sequential.from_spec(MLP, (4,))
    with pytest.raises(SpecError, match=match):
        model.forward(x)


def test_int_input_becomes_float32():
    model = Sequential.from_spec(MLP, (4,))
    out = model.forward(np.ones((2, 4), dtype=np.int64))
    assert out.dtype == np.float32


def test_float64_runs_in_float64_for_gradient_checks():
    model = Sequential.from_spec(MLP, (4,))
    for p in model.parameters():
        layer_params = p.value
        assert layer_params.dtype == np.float32
    x, y = data((4,), n=4)
    loss = CrossEntropyLoss()
    assert np.isfinite(loss.forward(model.forward(x.astype(np.float64)), y))


def test_backward_without_input_grad_stops_at_first_trainable_layer():
    """Flatten before the first Dense is not visited and the Dense skips its dX product."""
    model = Sequential.from_spec(
        [{"type": "flatten"}, {"type": "dense", "units": 3}], (1, 4, 4), seed=0
    )
    calls = []
    flatten = model.layers[0]
    original = flatten.backward
    flatten.backward = lambda g: calls.append(g) or original(g)
    x = np.random.default_rng(0).random((2, 1, 4, 4), dtype=np.float32)
    model.forward(x, training=True)
    assert model.backward(np.ones((2, 3), np.float32)) is None
    assert calls == [] and not model.layers[1].need_input_grad
    model.input_grad = True
    model.forward(x, training=True)
    dx = model.backward(np.ones((2, 3), np.float32))
    assert dx.shape == x.shape and len(calls) == 1
