"""MaxPool2D / AvgPool2D against the reference loops (forward and backward), ties, errors."""

from __future__ import annotations

import numpy as np
import pytest

from visualnn.engine.errors import SpecError
from visualnn.engine.gradcheck import assert_layer_gradients
from visualnn.engine.pooling import AvgPool2D, MaxPool2D
from visualnn.engine.reference import pooling as ref_pool


def reference_pool(x, kernel, stride, pad, kind):
    """The plain-loop twin: forward, and a function mapping grad_out to grad_in."""
    mode = "max" if kind == "max" else "average"
    out, cache = ref_pool.pool_forward(x, kernel, stride, pad, mode)
    return out, lambda g: ref_pool.pool_backward(g, cache)


CASES = [
    # (input chw, kernel, stride, padding)
    ((2, 6, 6), 2, None, 0),
    ((3, 5, 7), 2, None, 0),
    ((2, 7, 7), 3, 2, 1),
    ((2, 6, 5), 3, 1, 0),
    ((1, 6, 8), (2, 3), (1, 2), (1, 1)),
    ((2, 5, 5), 3, 3, 1),
    ((2, 7, 11), (2, 3), None, 0),  # disjoint windows that leave a row and two columns out
]


def _pair(v):
    return v if isinstance(v, tuple) else (v, v)


@pytest.mark.parametrize("layer_type, kind", [(MaxPool2D, "max"), (AvgPool2D, "avg")])
@pytest.mark.parametrize("chw, kernel, stride, padding", CASES)
def test_pool_matches_reference(layer_type, kind, chw, kernel, stride, padding):
    rng = np.random.default_rng(0)
    layer = layer_type(kernel, stride, padding)
    x = rng.standard_normal((3, *chw)).astype(np.float32)
    y = layer.forward(x)
    k = _pair(kernel)
    ref, ref_backward = reference_pool(
        x.astype(np.float64), k, k if stride is None else _pair(stride), _pair(padding), kind
    )
    assert y.shape == ref.shape == (3, *layer.output_shape(chw))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, ref, rtol=1e-6, atol=1e-6)
    g = rng.standard_normal(y.shape).astype(np.float32)
    dx = layer.backward(g)
    assert dx.shape == x.shape and dx.dtype == np.float32
    np.testing.assert_allclose(dx, ref_backward(g.astype(np.float64)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layer_type, kind", [(MaxPool2D, "max"), (AvgPool2D, "avg")])
def test_reused_training_buffers_leave_uncovered_cells_at_zero(layer_type, kind):
    # Training reuses the gradient buffer; the cells no window reaches must not keep old
    # values written there by an earlier pass.
    rng = np.random.default_rng(2)
    layer = layer_type((2, 3))
    for _ in range(3):
        x = rng.standard_normal((4, 2, 7, 11)).astype(np.float32)
        y = layer.forward(x, training=True)
        g = rng.standard_normal(y.shape).astype(np.float32)
        dx = layer.backward(g)
        dx[:] = 7.0  # what a caller may leave in a buffer it was handed
        dx = layer.backward(g)
        _, ref_backward = reference_pool(x.astype(np.float64), (2, 3), (2, 3), (0, 0), kind)
        np.testing.assert_allclose(dx, ref_backward(g.astype(np.float64)), rtol=1e-5, atol=1e-6)
        assert not dx[:, :, 6:, :].any() and not dx[:, :, :, 9:].any()


@pytest.mark.parametrize("layer_type", [MaxPool2D, AvgPool2D])
@pytest.mark.parametrize("chw, kernel, stride, padding", CASES[2:5])
def test_pool_gradients_finite_difference(layer_type, chw, kernel, stride, padding):
    rng = np.random.default_rng(1)
    layer = layer_type(kernel, stride, padding)
    x = rng.standard_normal((2, *chw))  # float64, distinct values: max is differentiable
    assert_layer_gradients(layer, x, rng, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 2, 1), (3, 1, 1)])
def test_max_ties_go_to_first_maximum(kernel, stride, padding):
    x = np.zeros((1, 1, 5, 5), np.float32)
    x[0, 0, 1, 1] = x[0, 0, 1, 3] = x[0, 0, 3, 3] = 1.0
    layer = MaxPool2D(kernel, stride, padding)
    y = layer.forward(x)
    g = np.arange(1, y.size + 1, dtype=np.float32).reshape(y.shape)
    ref, ref_backward = reference_pool(
        x.astype(np.float64), _pair(kernel), _pair(stride or kernel), _pair(padding), "max"
    )
    np.testing.assert_array_equal(y, ref)
    np.testing.assert_array_equal(layer.backward(g), ref_backward(g.astype(np.float64)))


@pytest.mark.torch
def test_matches_torch_including_ties():
    import torch

    rng = np.random.default_rng(2)
    x = np.maximum(rng.standard_normal((2, 3, 9, 8)), 0).astype(np.float32)  # many zero ties
    for kernel, stride, padding in [(2, 2, 0), (3, 2, 1), (3, 1, 1)]:
        t = torch.from_numpy(x.copy()).requires_grad_(True)
        for layer, fn in [
            (MaxPool2D(kernel, stride, padding), torch.nn.functional.max_pool2d),
            (AvgPool2D(kernel, stride, padding), torch.nn.functional.avg_pool2d),
        ]:
            ref = fn(t, kernel, stride, padding)
            g = rng.standard_normal(ref.shape).astype(np.float32)
            (ref_dx,) = torch.autograd.grad(ref, t, torch.from_numpy(g))
            np.testing.assert_allclose(layer.forward(x), ref.detach().numpy(), atol=1e-6)
            np.testing.assert_allclose(layer.backward(g), ref_dx.numpy(), atol=1e-6)


def test_channel_first_views_in_and_out():
    """A conv layer hands on (N, C, H, W) views of (C, N, H, W) memory; pooling accepts them."""
    rng = np.random.default_rng(3)
    base = rng.standard_normal((4, 2, 6, 6)).astype(np.float32)
    view = base.swapaxes(0, 1)  # shape (2, 4, 6, 6), memory channel-first
    layer = MaxPool2D(2)
    np.testing.assert_array_equal(layer.forward(view), layer.forward(np.ascontiguousarray(view)))


def test_describe_config_and_errors():
    assert MaxPool2D(2).describe() == "MaxPool 2x2"
    assert AvgPool2D(3, 2).describe() == "AvgPool 3x3 stride 2"
    assert MaxPool2D(2).config() == {"type": "maxpool2d", "kernel_size": 2}
    assert AvgPool2D(3, 2, 1).config() == {
        "type": "avgpool2d",
        "kernel_size": 3,
        "stride": 2,
        "padding": 1,
    }
    assert MaxPool2D(2).output_shape((8, 28, 28)) == (8, 14, 14)
    assert MaxPool2D(3, 2, 1).output_shape((8, 7, 7)) == (8, 4, 4)
    with pytest.raises(SpecError, match="MaxPool 3x3: input is 2x2, smaller than the kernel"):
        MaxPool2D(3).output_shape((1, 2, 2))
    with pytest.raises(SpecError, match="needs an image input .* but gets 64 features"):
        MaxPool2D(2).output_shape((64,))
    with pytest.raises(SpecError, match="padding 2 is more than half the kernel") as info:
        MaxPool2D(3, padding=2)
    assert info.value.key == "padding"
    with pytest.raises(SpecError):
        AvgPool2D(0)


@pytest.mark.parametrize("layer_type", [MaxPool2D, AvgPool2D])
def test_training_mode_buffers_match_eval(layer_type):
    rng = np.random.default_rng(4)
    layer = layer_type(3, 2, 1)
    x = rng.standard_normal((3, 2, 7, 6)).astype(np.float32)
    y_eval = layer.forward(x).copy()
    g = rng.standard_normal(y_eval.shape).astype(np.float32)
    dx_eval = layer.backward(g).copy()
    for batch in (3, 2, 3):  # reused buffers, also across a batch-size change
        np.testing.assert_array_equal(layer.forward(x[:batch], training=True), y_eval[:batch])
        np.testing.assert_array_equal(layer.backward(g[:batch]), dx_eval[:batch])
    kept = layer.forward(x)  # eval mode: a fresh array the next call does not touch
    layer.forward(x[:1] * 0, training=True)
    np.testing.assert_array_equal(kept, y_eval)
