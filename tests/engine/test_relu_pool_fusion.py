"""Conv+ReLU -> MaxPool pairs pool the pre-activation when nothing is recorded.

The fused path (forward without ``record``) must give exactly what the layer-by-layer path
(``record=True``) gives: outputs, every parameter gradient and the input gradient, ties in
the pooling windows included (torch's first-maximum rule).
"""

import numpy as np
import pytest

from visualnn.engine.conv import Conv2D
from visualnn.engine.dense import Dense
from visualnn.engine.gradcheck import cast_layer
from visualnn.engine.pooling import MaxPool2D
from visualnn.engine.reshape import Flatten
from visualnn.engine.sequential import Sequential


def _model(pool: MaxPool2D, dtype=np.float64) -> Sequential:
    layers = [Conv2D(3, 3, padding="same", activation="relu"), pool, Flatten(), Dense(4)]
    model = Sequential(layers, (2, 6, 6), seed=3, input_grad=True)
    for layer in model.layers:
        cast_layer(layer, dtype)
    return model


def _step(model: Sequential, x: np.ndarray, r: np.ndarray, record: bool):
    """Forward, backward of ``sum(out * r)``; outputs, input grad and parameter grads."""
    model.zero_grad()
    out = np.array(model.forward(x, training=True, record=record, check=False))
    dx = np.array(model.backward(r))
    grads = [{k: g.copy() for k, g in layer.grads.items()} for layer in model.layers]
    return out, dx, grads


POOLS = {
    "2x2 tiles": lambda: MaxPool2D(2),
    "3x3 stride 2 overlapping": lambda: MaxPool2D(3, stride=2),
    "3x3 stride 1 padded": lambda: MaxPool2D(3, stride=1, padding=1),
}
INPUTS = {
    "random": lambda rng: rng.standard_normal((5, 2, 6, 6)),
    # small integers: many equal maxima, many windows whose maximum is exactly 0
    "ties": lambda rng: rng.integers(-2, 3, (5, 2, 6, 6)).astype(float),
}


@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("data", INPUTS)
def test_fused_equals_layer_by_layer(pool, data):
    rng = np.random.default_rng(0)
    model = _model(POOLS[pool]())
    if data == "ties":  # integer weights too, so pre-activations tie exactly
        model.layers[0].params["weight"][...] = rng.integers(-1, 2, (3, 2, 3, 3))
        model.layers[0].params["bias"][...] = 0
    x = INPUTS[data](rng)
    r = rng.standard_normal((5, 4))

    fused = _step(model, x, r, record=False)
    assert model._fused and model.layers[1].relu_input
    plain = _step(model, x, r, record=True)
    assert not model._fused and not model.layers[1].relu_input

    np.testing.assert_array_equal(fused[0], plain[0])
    np.testing.assert_allclose(fused[1], plain[1], rtol=1e-12, atol=1e-12)
    for got, want in zip(fused[2], plain[2], strict=True):
        for key in want:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-12, atol=1e-12)


def test_fused_step_repeats_with_reused_buffers():
    """Scratch buffers carry over between steps: a second fused step gives the same grads."""
    rng = np.random.default_rng(1)
    model = _model(MaxPool2D(2), np.float32)
    x = rng.standard_normal((8, 2, 6, 6)).astype(np.float32)
    r = rng.standard_normal((8, 4)).astype(np.float32)
    first = _step(model, x, r, record=False)
    _step(model, rng.standard_normal(x.shape).astype(np.float32), r, record=False)
    again = _step(model, x, r, record=False)
    for got, want in zip(again[2], first[2], strict=True):
        for key in want:
            np.testing.assert_array_equal(got[key], want[key])


def test_recorded_forward_keeps_the_conv_relu_output():
    """With ``record`` the conv's own output is post-ReLU (the views show it)."""
    model = _model(MaxPool2D(2))
    x = np.random.default_rng(2).standard_normal((3, 2, 6, 6))
    model.forward(x, record=True)
    conv = model.records[0]
    assert conv.out.min() == 0.0 and conv.pre.min() < 0.0
    np.testing.assert_array_equal(conv.out, np.maximum(conv.pre, 0))


@pytest.mark.torch
def test_fused_training_step_matches_torch():
    import torch

    rng = np.random.default_rng(4)
    model = _model(MaxPool2D(2))
    x = rng.integers(-2, 3, (5, 2, 6, 6)).astype(float)  # ties included
    r = rng.standard_normal((5, 4))
    out, dx, grads = _step(model, x, r, record=False)

    conv, dense = model.layers[0], model.layers[3]
    tw = [
        torch.tensor(a, requires_grad=True)
        for a in (
            conv.params["weight"],
            conv.params["bias"],
            dense.params["weight"],
            dense.params["bias"],
        )
    ]
    tx = torch.tensor(x, requires_grad=True)
    y = torch.nn.functional.conv2d(tx, tw[0], tw[1], padding="same").relu()
    y = torch.nn.functional.max_pool2d(y, 2).flatten(1) @ tw[2].T + tw[3]
    (y * torch.from_numpy(r)).sum().backward()

    np.testing.assert_allclose(out, y.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    for got, want in zip(
        (grads[0]["weight"], grads[0]["bias"], grads[3]["weight"]), tw, strict=False
    ):
        np.testing.assert_allclose(got, want.grad.numpy(), rtol=1e-10, atol=1e-12)
