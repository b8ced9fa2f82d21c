"""Dense, activation layers, Dropout and Flatten: gradients, shapes, configs and errors."""

import numpy as np
import pytest

from visualnn.engine.activations import (
    ACTIVATIONS,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    activation_fn,
    make_activation,
    sigmoid,
)
from visualnn.engine.conv import Conv2D
from visualnn.engine.dense import Dense
from visualnn.engine.dropout import Dropout
from visualnn.engine.errors import SpecError
from visualnn.engine.gradcheck import assert_layer_gradients, numerical_grad
from visualnn.engine.reshape import Flatten
from visualnn.engine.sequential import Sequential

ACTS = [None, "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "linear", "identity"]


def away_from_zero(x, margin=1e-3):
    """Push values off the ReLU kink so finite differences are valid."""
    return np.where(np.abs(x) < margin, margin, x)


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("n, n_in, units", [(1, 1, 1), (3, 4, 5), (6, 7, 2)])
def test_dense_gradients(activation, n, n_in, units):
    rng = np.random.default_rng(n * 100 + n_in * 10 + units)
    layer = Dense(units, activation=activation, in_features=n_in)
    x = rng.standard_normal((n, n_in))
    errors = assert_layer_gradients(layer, x, rng=rng, training=True)
    assert set(errors) == {"input", "weight", "bias"}
    assert max(errors.values()) < 1e-6


@pytest.mark.parametrize("init", ["default", "uniform01", "xavier_normal", "kaiming_uniform"])
def test_dense_gradients_without_input_grad(init):
    layer = Dense(3, activation="tanh", init=init, in_features=4)
    layer.need_input_grad = False
    errors = assert_layer_gradients(layer, np.random.default_rng(0).standard_normal((5, 4)))
    assert set(errors) == {"weight", "bias"}
    layer.forward(np.ones((2, 4)), training=True)
    assert layer.backward(np.ones((2, 3))) is None


def test_dense_formula_and_torch_layout():
    layer = Dense(3, in_features=2)
    assert layer.params["weight"].shape == (3, 2) and layer.params["bias"].shape == (3,)
    x = np.array([[1.0, 2.0], [-1.0, 0.5]], dtype=np.float32)
    want = x @ layer.params["weight"].T + layer.params["bias"]
    np.testing.assert_allclose(layer.forward(x), want, rtol=1e-6)
    assert layer.num_params() == 9
    assert layer.describe() == "Dense 3"


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "softmax"])
def test_dense_float32_stays_float32(training, activation):
    layer = Dense(4, activation=activation, in_features=3)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    y = layer.forward(x, training=training)
    assert y.dtype == np.float32
    g = layer.backward(np.ones_like(y))
    assert g.dtype == np.float32
    assert all(v.dtype == np.float32 for v in layer.grads.values())
    # float64 data into a float32 layer is cast, not upcast
    assert layer.forward(x.astype(np.float64), training=training).dtype == np.float32


def test_dense_grads_accumulate_and_zero():
    rng = np.random.default_rng(1)
    layer = Dense(3, activation="relu", in_features=4)
    x, g = rng.standard_normal((5, 4)).astype(np.float32), rng.standard_normal((5, 3))
    g = g.astype(np.float32)
    layer.forward(x, training=True)
    layer.backward(g)
    once = {k: v.copy() for k, v in layer.grads.items()}
    layer.forward(x, training=True)
    layer.backward(g)
    for k in once:
        np.testing.assert_allclose(layer.grads[k], 2 * once[k], rtol=1e-5, atol=1e-6)
    layer.zero_grad()
    assert all(not v.any() for v in layer.grads.values())
    layer.forward(x, training=True)
    layer.backward(g)
    for k in once:
        np.testing.assert_allclose(layer.grads[k], once[k], rtol=1e-6)
    # zeroing the arrays from outside (as an optimizer does) must work too
    for v in layer.grads.values():
        v.fill(0)
    layer.forward(x, training=True)
    layer.backward(g)
    for k in once:
        np.testing.assert_allclose(layer.grads[k], once[k], rtol=1e-6)


def test_zero_grad_without_fill_lets_the_next_backward_overwrite():
    rng = np.random.default_rng(3)
    model = Sequential([Dense(4, activation="relu"), Flatten(), Dense(2)], (3,), seed=0)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    g = rng.standard_normal((5, 2)).astype(np.float32)

    def grads_after(fill):
        model.zero_grad(fill=fill)
        model.forward(x, training=True)
        model.backward(g)
        return [p.grad.copy() for p in model.parameters()]

    once = grads_after(True)
    model.forward(x, training=True)
    model.backward(g)  # accumulated: twice the gradient
    np.testing.assert_allclose(model.parameters()[0].grad, 2 * once[0], rtol=1e-5)
    model.zero_grad(fill=False)  # Dense skips the zeros: the old values stay until backward
    assert model.parameters()[0].grad.any()
    for got, want in zip(grads_after(False), once, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    # a layer whose backward only ever adds (a convolution) still gets its zeros
    conv = Sequential([Conv2D(2, 3)], (1, 5, 5))
    conv.forward(rng.standard_normal((2, 1, 5, 5)).astype(np.float32), training=True)
    conv.backward(np.ones((2, 2, 3, 3), np.float32))
    assert all(p.grad.any() for p in conv.parameters())
    conv.zero_grad(fill=False)
    assert not any(p.grad.any() for p in conv.parameters())


def test_dense_training_matches_eval_and_record_keeps_pre_activation():
    rng = np.random.default_rng(2)
    layer = Dense(6, activation="relu", in_features=3)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    y_eval = layer.forward(x)
    y_train = layer.forward(x, training=True)
    np.testing.assert_array_equal(y_eval, y_train)
    layer.record = True
    y = layer.forward(x, training=True)
    pre = x @ layer.params["weight"].T + layer.params["bias"]
    np.testing.assert_allclose(layer.last_pre, pre, rtol=1e-6)
    assert (layer.last_pre < 0).any(), "a negative pre-activation must survive recording"
    np.testing.assert_array_equal(layer.last_out, np.maximum(pre, 0))
    assert layer.last_out is y
    # eval-mode outputs are fresh arrays: a second forward does not overwrite the first
    layer.record = False
    a = layer.forward(x)
    layer.forward(2 * x)
    np.testing.assert_array_equal(a, y_eval)


def test_dense_shape_errors_and_config_round_trip():
    layer = Dense(16, activation="relu", init="xavier_uniform")
    with pytest.raises(
        SpecError,
        match="Dense 16 needs a flat input of features, but gets "
        "8x14x14: add a Flatten layer before it",
    ):
        layer.output_shape((8, 14, 14))
    assert layer.output_shape((64,)) == (16,)
    cfg = layer.config()
    assert cfg == {"type": "dense", "units": 16, "activation": "relu", "init": "xavier_uniform"}
    again = Dense(**{k: v for k, v in cfg.items() if k != "type"})
    assert again.config() == cfg
    assert Dense(4).config() == {"type": "dense", "units": 4}
    built = Dense(4, in_features=3)
    with pytest.raises(SpecError, match="3 input features but gets 5"):
        built.forward(np.zeros((2, 5)))
    with pytest.raises(SpecError, match="flat input"):
        built.forward(np.zeros((2, 3, 1)))


@pytest.mark.parametrize("units", [0, -3, 2.5, "8", True, None])
def test_dense_bad_units(units):
    with pytest.raises(SpecError, match="units") as info:
        Dense(units)
    assert info.value.key == "units"


def test_dense_bad_activation_and_init_list_the_choices():
    with pytest.raises(SpecError, match="relu, leaky_relu, sigmoid"):
        Dense(3, activation="relux")
    with pytest.raises(SpecError, match="xavier_uniform"):
        Dense(3, init="glorot")


def test_dense_same_seed_same_weights():
    a, b = Dense(5), Dense(5)
    a.build((7,), np.random.default_rng(3))
    b.build((7,), np.random.default_rng(3))
    np.testing.assert_array_equal(a.params["weight"], b.params["weight"])
    bound = 1 / np.sqrt(7)
    assert np.abs(a.params["weight"]).max() <= bound and np.abs(a.params["bias"]).max() <= bound


LAYERS = [ReLU, lambda: LeakyReLU(0.1), Sigmoid, Tanh, Softmax, Identity]


@pytest.mark.parametrize("make", LAYERS)
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 5), (2, 2, 3, 3)])
def test_activation_layer_gradients(make, shape):
    x = away_from_zero(np.random.default_rng(len(shape)).standard_normal(shape) * 2)
    errors = assert_layer_gradients(make(), x)
    assert errors["input"] < 1e-6


def test_activation_values():
    x = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(ReLU().forward(x), [[0, 0, 3]])
    np.testing.assert_allclose(LeakyReLU().forward(x), [[-0.02, 0, 3]])
    np.testing.assert_allclose(Sigmoid().forward(x), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(Tanh().forward(x), np.tanh(x))
    s = Softmax().forward(np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(s.sum(axis=1), 1)
    np.testing.assert_allclose(s[1], [0.5, 0.5, 0])
    np.testing.assert_allclose(s[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())


def test_sigmoid_is_stable_for_huge_inputs():
    x = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4], dtype=np.float32)
    # underflow to 0 is the right answer; overflow or NaN would be a bug
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = sigmoid(x)
        layer_y = Sigmoid().forward(x[None, :])
    assert y.dtype == np.float32 and np.all(np.isfinite(y))
    assert y[0] == 0 and y[-1] == 1 and y[3] == 0.5
    assert 0 < sigmoid(np.array([-50.0]))[0] < 1e-20  # exact tail, not 1 - 1
    np.testing.assert_array_equal(layer_y[0], y)


@pytest.mark.parametrize("layer", [ReLU(), LeakyReLU(), Sigmoid(), Tanh(), Softmax(), Identity()])
def test_activation_float32_and_shape(layer):
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    y = layer.forward(x, training=True)
    assert y.dtype == np.float32 and y.shape == x.shape
    assert layer.backward(np.ones_like(y)).dtype == np.float32
    assert layer.output_shape((3, 4)) == (3, 4)
    assert layer.num_params() == 0


def test_activation_registry_and_shorthand():
    assert set(ACTIVATIONS) == {
        "relu",
        "leaky_relu",
        "sigmoid",
        "tanh",
        "softmax",
        "linear",
        "identity",
    }
    for name, cls in ACTIVATIONS.items():
        assert cls().config()["type"] in ACTIVATIONS
        layer = make_activation(name)
        assert layer is None if cls is Identity else isinstance(layer, cls)
    assert make_activation(None) is None
    with pytest.raises(SpecError, match="unknown activation 'gelu'") as info:
        make_activation("gelu")
    assert info.value.key == "activation"
    assert LeakyReLU(0.2).config() == {"type": "leaky_relu", "negative_slope": 0.2}
    assert LeakyReLU().config() == {"type": "leaky_relu"}


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "sigmoid", "tanh", "linear", None])
def test_activation_fn_derivative_matches_slope(name):
    f, df = activation_fn(name)
    z = np.linspace(-3, 3, 61) + 0.0123  # avoid the kink at 0
    # elementwise f: d/dz_i sum_j f(z_j) = f'(z_i)
    numeric = numerical_grad(lambda: float(np.sum(f(z))), z)
    np.testing.assert_allclose(df(z), numeric, atol=1e-6)
    assert f(z).shape == z.shape


def test_activation_fn_softmax_has_no_elementwise_derivative():
    f, df = activation_fn("softmax")
    assert df is None
    np.testing.assert_allclose(f(np.array([0.0, np.log(3.0)])), [0.25, 0.75])


def test_dropout_gradient_with_fixed_mask():
    layer = Dropout(0.4)
    layer.build((3, 4), np.random.default_rng(5))
    x = np.random.default_rng(6).standard_normal((5, 3, 4))
    assert_layer_gradients(layer, x, training=True)
    assert (layer.last_mask == 0).any()


def test_dropout_behaviour():
    layer = Dropout(0.25)
    layer.build((1000,), np.random.default_rng(0))
    x = np.ones((20, 1000), dtype=np.float32)
    np.testing.assert_array_equal(layer.forward(x), x)  # identity in eval
    y = layer.forward(x, training=True)
    assert y.dtype == np.float32
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert abs(y.mean() - 1) < 0.02
    g = layer.backward(np.ones_like(y))
    np.testing.assert_array_equal(g, y)
    # seeded: the same build seed gives the same masks
    other = Dropout(0.25)
    other.build((1000,), np.random.default_rng(0))
    np.testing.assert_array_equal(other.forward(x, training=True), y)
    assert Dropout(0.0).forward(x, training=True) is x
    assert layer.config() == {"type": "dropout", "p": 0.25}


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, "0.5", None, True])
def test_dropout_bad_p(p):
    with pytest.raises(SpecError, match=r"from 0 up to \(not including\) 1"):
        Dropout(p)


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (3, 2, 2, 2), (1, 1)])
def test_flatten(shape):
    layer = Flatten()
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    y = layer.forward(x)
    assert y.shape == (shape[0], int(np.prod(shape[1:])))
    np.testing.assert_array_equal(y, x.reshape(shape[0], -1))
    assert layer.output_shape(shape[1:]) == y.shape[1:]
    assert layer.config() == {"type": "flatten"}
    assert_layer_gradients(Flatten(), x)
    assert Flatten().forward(np.zeros((0,) + shape[1:])).shape == (0, y.shape[1])


def test_flatten_some_axes_keeps_the_rest():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))  # maps: channels x bands x time
    layer = Flatten(1, 2)
    y = layer.forward(x)
    assert y.shape == (2, 12, 5) and layer.output_shape((3, 4, 5)) == (12, 5)
    np.testing.assert_array_equal(y[:, 4 + 2, :], x[:, 1, 2, :])  # channel 1, band 2
    assert layer.config() == {"type": "flatten", "start_dim": 1, "end_dim": 2}
    assert_layer_gradients(Flatten(1, 2), x)
    assert_layer_gradients(Flatten(2, -1), x)


def test_dense_after_flatten_chain_gradients():
    """A tiny conv-free chain: Flatten -> Dense(relu) -> Dense(softmax), by hand."""
    rng = np.random.default_rng(7)
    layers = [Flatten(), Dense(5, "relu", in_features=6), Dense(3, "softmax", in_features=5)]
    x = rng.standard_normal((4, 2, 3))
    for layer in layers[1:]:
        layer.params = {k: v.astype(np.float64) for k, v in layer.params.items()}
        layer.grads = {k: np.zeros_like(v) for k, v in layer.params.items()}
    r = rng.standard_normal((4, 3))

    def loss():
        h = x
        for layer in layers:
            h = layer.forward(h, training=True)
        return float(np.sum(h * r))

    loss()
    g = r
    for layer in reversed(layers):
        g = layer.backward(g)
    np.testing.assert_allclose(g, numerical_grad(loss, x), rtol=1e-5, atol=1e-7)


def test_dense_scratch_buffers_in_training_and_opt_out():
    layer = Dense(3, activation="relu", in_features=2)
    x = np.ones((4, 2), dtype=np.float32)
    a = layer.forward(x, training=True)
    b = layer.forward(2 * x, training=True)
    assert a is b  # documented: training outputs are reused scratch buffers
    layer.reuse_buffers = False
    c = layer.forward(x, training=True)
    d = layer.forward(2 * x, training=True)
    assert c is not d and not np.shares_memory(c, d)
    # a new batch size gets new buffers and the right result
    layer.reuse_buffers = True
    y = layer.forward(np.ones((7, 2), dtype=np.float32), training=True)
    assert y.shape == (7, 3)
    assert layer.backward(np.ones_like(y)).shape == (7, 2)
