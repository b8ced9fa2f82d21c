"""Every fast layer, loss and optimizer equals its plain-loop twin in engine/reference (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from visualnn.engine import (
    GRU,
    LSTM,
    RNN,
    SGD,
    Adagrad,
    Adam,
    AvgPool2D,
    BCELoss,
    Conv1D,
    Conv2D,
    CrossEntropyLoss,
    Dense,
    Dropout,
    Flatten,
    L1Loss,
    MaxPool2D,
    MSELoss,
    Param,
    RMSprop,
    clip_grad_norm,
)
from visualnn.engine.activations import ACTIVATIONS
from visualnn.engine.geometry import same_padding
from visualnn.engine.gradcheck import cast_layer
from visualnn.engine.reference import activations as ref_act
from visualnn.engine.reference import conv as ref_conv
from visualnn.engine.reference import dense as ref_dense
from visualnn.engine.reference import losses as ref_losses
from visualnn.engine.reference import optim as ref_optim
from visualnn.engine.reference import pooling as ref_pool
from visualnn.engine.reference.recurrent import rnn_backward, rnn_forward

RNG = np.random.default_rng(0)


def run(layer, x, training=False):
    """Forward then backward with a random output gradient; copies of y, g, dx."""
    y = np.array(layer.forward(x, training))
    g = RNG.standard_normal(y.shape)
    return y, g, np.array(layer.backward(g))


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n, n_in, units", [(1, 1, 1), (4, 3, 5), (7, 10, 2)])
def test_dense(n, n_in, units):
    layer = cast_layer(Dense(units, in_features=n_in))
    x = RNG.standard_normal((n, n_in))
    y, g, dx = run(layer, x)
    want, cache = ref_dense.dense_forward(x, layer.params["weight"], layer.params["bias"])
    rdx, rdw, rdb = ref_dense.dense_backward(g, cache)
    close(y, want), close(dx, rdx)
    close(layer.grads["weight"], rdw), close(layer.grads["bias"], rdb)


def _pads(kernel, dilation, padding):
    if padding == "same":
        return tuple(same_padding(k, d) for k, d in zip(kernel, dilation, strict=True))
    p = (padding, padding) if isinstance(padding, int) else padding
    return ((p[0], p[0]), (p[1], p[1]))


CONV2D = [
    ((2, 5, 6), (3, 3), (1, 1), 0, (1, 1)),
    ((3, 6, 7), (3, 2), (2, 1), 1, (1, 1)),
    ((2, 7, 6), (3, 3), (1, 1), "same", (2, 1)),
    ((1, 6, 6), (2, 2), (1, 1), "same", (1, 1)),
    ((2, 7, 7), (3, 3), (2, 2), (2, 0), (2, 2)),
]


@pytest.mark.parametrize("chw, kernel, stride, padding, dilation", CONV2D)
@pytest.mark.parametrize("training", [False, True])
def test_conv2d(chw, kernel, stride, padding, dilation, training):
    layer = cast_layer(Conv2D(3, kernel, stride, padding, dilation, in_channels=chw[0]))
    x = RNG.standard_normal((2, *chw))
    y, g, dx = run(layer, x, training)
    pad = _pads(kernel, dilation, padding)
    w, b = layer.params["weight"], layer.params["bias"]
    want, cache = ref_conv.conv_forward(x, w, b, stride, pad, dilation)
    rdx, rdw, rdb = ref_conv.conv_backward(g, cache)
    close(y, want), close(dx, rdx)
    close(layer.grads["weight"], rdw), close(layer.grads["bias"], rdb)


@pytest.mark.parametrize(
    "cl, k, stride, padding, dilation",
    [((2, 9), 3, 1, 0, 1), ((3, 10), 3, 2, 1, 1), ((2, 8), 4, 1, "same", 1), ((1, 12), 5, 3, 0, 2)],
)
def test_conv1d(cl, k, stride, padding, dilation):
    layer = cast_layer(Conv1D(4, k, stride, padding, dilation, in_channels=cl[0]))
    x = RNG.standard_normal((3, *cl))
    y, g, dx = run(layer, x)
    pad = same_padding(k, dilation) if padding == "same" else (padding, padding)
    w, b = layer.params["weight"], layer.params["bias"]
    want, cache = ref_conv.conv1d_forward(x, w, b, stride, pad, dilation)
    rdx, rdw, rdb = ref_conv.conv1d_backward(g, cache)
    close(y, want), close(dx, rdx)
    close(layer.grads["weight"], rdw), close(layer.grads["bias"], rdb)


POOLS = [((2, 6, 6), 2, None, 0), ((2, 7, 7), 3, 2, 1), ((1, 6, 8), (2, 3), (1, 2), (1, 1))]


def _pair(v):
    return v if isinstance(v, tuple) else (v, v)


@pytest.mark.parametrize("cls, mode", [(MaxPool2D, "max"), (AvgPool2D, "average")])
@pytest.mark.parametrize("chw, kernel, stride, padding", POOLS)
def test_pooling(cls, mode, chw, kernel, stride, padding):
    layer = cls(kernel, stride, padding)
    x = RNG.standard_normal((2, *chw))
    y, g, dx = run(layer, x)
    stride = None if stride is None else _pair(stride)
    want, cache = ref_pool.pool_forward(x, _pair(kernel), stride, _pair(padding), mode)
    close(y, want), close(dx, ref_pool.pool_backward(g, cache))


def test_max_pool_ties_follow_the_first_maximum():
    x = np.zeros((1, 1, 4, 4))
    layer = MaxPool2D(2)
    y, g, dx = run(layer, x)
    want, cache = ref_pool.pool_forward(x, (2, 2), None, (0, 0), "max")
    close(dx, ref_pool.pool_backward(g, cache))


def test_flatten_and_dropout():
    x = RNG.standard_normal((3, 2, 4))
    y, g, dx = run(Flatten(), x)
    want, shape = ref_dense.flatten_forward(x)
    close(y, want), close(dx, ref_dense.flatten_backward(g, shape))
    maps = RNG.standard_normal((3, 2, 5, 7))  # channels x bands x time -> a sequence
    for axes, out in (((1, 2), (3, 10, 7)), ((2, 3), (3, 2, 35)), ((1, -1), (3, 70))):
        y, g, dx = run(Flatten(*axes), maps)
        want, shape = ref_dense.flatten_forward(maps, *axes)
        assert y.shape == want.shape == out
        close(y, want), close(dx, ref_dense.flatten_backward(g, shape))
    drop = Dropout(0.4)
    y, g, dx = run(drop, x, training=True)
    mask = (drop.last_mask > 0).astype(float)
    close(y, ref_dense.dropout_forward(x, mask, 0.4))
    close(dx, ref_dense.dropout_backward(g, mask, 0.4))


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "sigmoid", "tanh", "softmax", "identity"])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5)])
def test_activations(name, shape):
    x = RNG.standard_normal(shape) * 3
    y, g, dx = run(ACTIVATIONS[name](), x)
    f, df = ref_act.ACTIVATIONS[name]
    close(y, f(x)), close(dx, df(g, x))


@pytest.mark.parametrize("shape", [(5, 3), (4, 1)])
def test_losses(shape):
    pred = RNG.standard_normal(shape)
    target = RNG.standard_normal(shape)
    prob = 1 / (1 + np.exp(-pred))
    labels = RNG.integers(0, shape[1], shape[0])
    cases = [
        (MSELoss(), ref_losses.mse, pred, target),
        (L1Loss(), ref_losses.l1, pred, target),
        (BCELoss(), ref_losses.bce, prob, (target > 0).astype(float)),
        (CrossEntropyLoss(), ref_losses.cross_entropy, pred, labels),
    ]
    for loss, ref, p, t in cases:
        value, grad = ref(p, t)
        assert loss.forward(p, t) == pytest.approx(value, rel=1e-12)
        close(loss.backward(), grad)


OPTIMIZERS = [
    (lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1), ref_optim.sgd_step,
     {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    (lambda p: SGD(p, lr=0.05, momentum=0.8, dampening=0.3), ref_optim.sgd_step,
     {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    (lambda p: RMSprop(p, lr=0.02, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1),
     ref_optim.rmsprop_step,
     {"lr": 0.02, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    (lambda p: Adagrad(p, lr=0.1, lr_decay=0.5, weight_decay=0.2), ref_optim.adagrad_step,
     {"lr": 0.1, "lr_decay": 0.5, "weight_decay": 0.2}),
    (lambda p: Adam(p, lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True),
     ref_optim.adam_step, {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.1, "amsgrad": True}),
]  # fmt: skip


@pytest.mark.parametrize("make, step, kw", OPTIMIZERS)
def test_optimizers(make, step, kw):
    values = [RNG.standard_normal((3, 4)), RNG.standard_normal((130, 128))]  # NumPy and BLAS paths
    params = [Param(v.copy(), np.zeros_like(v)) for v in values]
    opt, states = make(params), [{} for _ in values]
    for _ in range(4):
        for i, p in enumerate(params):
            p.grad[...] = RNG.standard_normal(p.value.shape)
            values[i] = step(values[i], p.grad.copy(), states[i], **kw)
        opt.step()
    for p, v in zip(params, values, strict=True):
        close(p.value, v)


def test_clip_grad_norm():
    grads = [RNG.standard_normal((4, 3)) * 3, RNG.standard_normal(5)]
    params = [Param(np.zeros_like(g), g.copy()) for g in grads]
    want, total = ref_optim.clip_grad_norm(grads, 1.0)
    assert clip_grad_norm(params, 1.0) == pytest.approx(total, rel=1e-12)
    for p, w in zip(params, want, strict=True):
        close(p.grad, w)


RECURRENT = [(RNN, "rnn", {}), (RNN, "rnn", {"nonlinearity": "relu"}), (GRU, "gru", {}),
             (LSTM, "lstm", {})]  # fmt: skip


@pytest.mark.parametrize("cls, kind, kw", RECURRENT)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("n, f, t, h", [(1, 1, 1, 1), (3, 4, 6, 5), (2, 3, 9, 2)])
def test_recurrent(cls, kind, kw, bidirectional, return_sequences, n, f, t, h):
    layer = cast_layer(cls(h, bidirectional=bidirectional, return_sequences=return_sequences,
                           input_size=f, **kw))  # fmt: skip
    x = RNG.standard_normal((n, f, t))
    for training in (False, True, True):  # the last two reuse scratch buffers
        layer.zero_grad()
        y, g, dx = run(layer, x, training)
        want, cache = rnn_forward(kind, x, layer.params, bidirectional, return_sequences,
                                  kw.get("nonlinearity", "tanh"))  # fmt: skip
        rdx, grads = rnn_backward(g, cache)
        close(y, want), close(dx, rdx)
        assert set(grads) == set(layer.grads)
        for key, value in grads.items():
            close(layer.grads[key], value)
