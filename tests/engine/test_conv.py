"""Conv2D / Conv1D: the reference twin, finite-difference gradients, errors, buffers."""

from __future__ import annotations

import numpy as np
import pytest

from visualnn.engine.conv import Conv1D, Conv2D
from visualnn.engine.errors import SpecError
from visualnn.engine.geometry import same_padding
from visualnn.engine.gradcheck import assert_layer_gradients, cast_layer, numerical_grad
from visualnn.engine.reference import conv as ref_conv


def reference_conv2d(x, w, b, stride, pad, dilation):
    """The plain-loop twin (``pad`` = ((top, bottom), (left, right)))."""
    return ref_conv.conv_forward(x, w, b, stride, pad, dilation)[0]


same_pad = same_padding


def check_gradients(layer, x, rng):
    """Input, weight and bias gradients against finite differences (float64)."""
    assert_layer_gradients(layer, x, rng, rtol=1e-5, atol=1e-7)


CONV2D_CASES = [
    # (input chw, kwargs)
    ((2, 5, 6), dict(kernel_size=3)),
    ((2, 6, 7), dict(kernel_size=3, stride=2, padding=1)),
    ((3, 5, 6), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0))),
    ((2, 7, 6), dict(kernel_size=3, padding="same", dilation=2)),
    ((2, 5, 5), dict(kernel_size=2, padding="same")),
    ((1, 6, 5), dict(kernel_size=(4, 3), padding="same", dilation=(1, 2))),
    ((2, 7, 7), dict(kernel_size=3, stride=2, padding="valid", dilation=2)),
    ((2, 6, 6), dict(kernel_size=3, stride=(2, 1), padding=2)),
    ((2, 4, 4), dict(kernel_size=1)),
    ((2, 5, 6), dict(kernel_size=3, padding=3)),  # padding beyond the kernel's reach
    ((2, 6, 5), dict(kernel_size=(3, 2), padding=(2, 0), dilation=(2, 1))),
    ((1, 1, 6), dict(kernel_size=(1, 3), padding=(0, 1))),
]


def _pad_of(kw, chw):
    k = kw["kernel_size"] if isinstance(kw["kernel_size"], tuple) else (kw["kernel_size"],) * 2
    d = kw.get("dilation", 1)
    d = d if isinstance(d, tuple) else (d, d)
    s = kw.get("stride", 1)
    s = s if isinstance(s, tuple) else (s, s)
    p = kw.get("padding", 0)
    if p == "same":
        pad = (same_pad(k[0], d[0]), same_pad(k[1], d[1]))
    elif p == "valid":
        pad = ((0, 0), (0, 0))
    else:
        p = p if isinstance(p, tuple) else (p, p)
        pad = ((p[0], p[0]), (p[1], p[1]))
    return s, pad, d


@pytest.mark.parametrize("chw, kwargs", CONV2D_CASES)
def test_conv2d_forward_matches_reference_loops(chw, kwargs):
    rng = np.random.default_rng(1)
    layer = Conv2D(4, in_channels=chw[0], **kwargs)
    x = rng.standard_normal((3, *chw)).astype(np.float32)
    y = layer.forward(x)
    s, pad, d = _pad_of(kwargs, chw)
    ref = reference_conv2d(x, layer.params["weight"], layer.params["bias"], s, pad, d)
    assert y.shape == ref.shape == (3, *layer.output_shape(chw))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("chw, kwargs", CONV2D_CASES)
def test_conv2d_gradients(chw, kwargs):
    rng = np.random.default_rng(2)
    layer = cast_layer(Conv2D(3, in_channels=chw[0], **kwargs))
    x = rng.standard_normal((2, *chw))
    check_gradients(layer, x, rng)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_conv2d_activation_shorthand(activation):
    rng = np.random.default_rng(3)
    layer = cast_layer(Conv2D(3, 3, padding=1, activation=activation, in_channels=2))
    layer.record = True
    x = rng.standard_normal((2, 2, 5, 5))
    y = layer.forward(x)
    pre = reference_conv2d(
        x, layer.params["weight"], layer.params["bias"], (1, 1), ((1, 1),) * 2, (1, 1)
    )
    np.testing.assert_allclose(layer.last_pre, pre, atol=1e-12)
    assert layer.last_out is y
    # Keep the finite differences away from ReLU's kink.
    x = x + np.sign(x) * 0.01
    check_gradients(layer, x, rng)


CONV1D_CASES = [
    ((2, 9), dict(kernel_size=3)),
    ((3, 10), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 8), dict(kernel_size=4, padding="same")),
    ((2, 11), dict(kernel_size=3, dilation=2, padding="same")),
    ((1, 12), dict(kernel_size=5, stride=3, padding="valid", dilation=2)),
]


@pytest.mark.parametrize("cl, kwargs", CONV1D_CASES)
def test_conv1d_forward_and_gradients(cl, kwargs):
    rng = np.random.default_rng(4)
    layer = Conv1D(3, in_channels=cl[0], **kwargs)
    assert layer.params["weight"].shape == (3, cl[0], kwargs["kernel_size"])
    x = rng.standard_normal((2, *cl)).astype(np.float32)
    y = layer.forward(x)
    k, d, s = kwargs["kernel_size"], kwargs.get("dilation", 1), kwargs.get("stride", 1)
    p = kwargs.get("padding", 0)
    pad = same_pad(k, d) if p == "same" else (0, 0) if p == "valid" else (p, p)
    ref = reference_conv2d(
        x[:, :, None, :],
        layer.params["weight"][:, :, None, :],
        layer.params["bias"],
        (1, s),
        ((0, 0), pad),
        (1, d),
    )[:, :, 0, :]
    assert y.shape == ref.shape == (2, *layer.output_shape(cl))
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
    check_gradients(cast_layer(layer), x.astype(np.float64), rng)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.torch
def test_matches_torch_same_padding_even_kernel():
    import torch

    rng = np.random.default_rng(5)
    layer = Conv2D(3, (4, 2), padding="same", dilation=(1, 3), in_channels=2)
    x = rng.standard_normal((2, 2, 7, 8)).astype(np.float32)
    ref = torch.nn.functional.conv2d(
        torch.from_numpy(x),
        torch.from_numpy(layer.params["weight"]),
        torch.from_numpy(layer.params["bias"]),
        padding="same",
        dilation=(1, 3),
    )
    np.testing.assert_allclose(layer.forward(x), ref.numpy(), rtol=1e-5, atol=1e-5)


def test_first_layer_skips_input_gradient_and_grads_accumulate():
    rng = np.random.default_rng(6)
    layer = Conv2D(2, 3, in_channels=1)
    layer.need_input_grad = False
    x = rng.standard_normal((2, 1, 5, 5)).astype(np.float32)
    g = np.ones((2, 2, 3, 3), np.float32)
    layer.forward(x)
    assert layer.backward(g) is None
    once = layer.grads["weight"].copy()
    layer.forward(x)
    layer.backward(g)
    np.testing.assert_allclose(layer.grads["weight"], 2 * once, rtol=1e-6)
    assert layer.grads["weight"].dtype == np.float32


def test_buffer_reuse_across_batch_sizes_keeps_results():
    rng = np.random.default_rng(7)
    layer = Conv2D(4, 3, padding="same", activation="relu", in_channels=2)
    fresh = Conv2D(4, 3, padding="same", activation="relu", in_channels=2)
    xa = rng.standard_normal((5, 2, 6, 6)).astype(np.float32)
    xb = rng.standard_normal((3, 2, 6, 6)).astype(np.float32)
    xc = rng.standard_normal((5, 2, 7, 5)).astype(np.float32)  # same cols size, other geometry
    ya = layer.forward(xa)
    ya_copy = ya.copy()
    dxa = layer.backward(np.ones_like(ya)).copy()
    for x in (xb, xc, xa):
        y = layer.forward(x)
        np.testing.assert_array_equal(y, fresh.forward(x))
        np.testing.assert_array_equal(
            layer.backward(np.ones_like(y)), fresh.backward(np.ones_like(y))
        )
    np.testing.assert_array_equal(ya, ya_copy)
    np.testing.assert_array_equal(layer.backward(np.ones_like(ya)), dxa)
    assert y.dtype == np.float32 and dxa.dtype == np.float32


def test_shapes_describe_and_config():
    layer = Conv2D(8, 3, padding="same", activation="relu")
    assert layer.output_shape((1, 28, 28)) == (8, 28, 28)
    assert Conv2D(8, 5, stride=2).output_shape((3, 28, 28)) == (8, 12, 12)
    assert Conv2D(8, 3, dilation=2).output_shape((3, 10, 9)) == (8, 6, 5)
    assert Conv2D(8, 2, padding="same").output_shape((1, 5, 6)) == (8, 5, 6)
    assert Conv1D(4, 5, stride=2, padding=2).output_shape((2, 100)) == (4, 50)
    assert layer.describe() == "Conv2D 8@3x3"
    assert Conv1D(4, 5).describe() == "Conv1D 4@5"
    cfg = layer.config()
    assert cfg == {
        "type": "conv2d",
        "out_channels": 8,
        "kernel_size": 3,
        "padding": "same",
        "activation": "relu",
    }
    again = Conv2D(
        **{k: v for k, v in Conv2D(4, (3, 2), stride=(2, 1)).config().items() if k != "type"}
    )
    assert again.kernel == (3, 2) and again.stride == (2, 1)
    layer.build((3, 8, 8), np.random.default_rng(0))
    assert layer.params["weight"].shape == (8, 3, 3, 3) and layer.num_params() == 8 * 27 + 8
    assert layer.params["weight"].dtype == np.float32
    assert np.abs(layer.params["weight"]).max() <= 1 / np.sqrt(27)


@pytest.mark.parametrize(
    "make, shape, message",
    [
        (lambda: Conv2D(8, 5), (1, 3, 3), "Conv2D 5x5: input is 3x3, smaller than the kernel"),
        (
            lambda: Conv2D(8, 3),
            (64,),
            "Conv2D needs an image input (channels, height, width) but gets 64 features",
        ),
        (
            lambda: Conv2D(8, 3, in_channels=3),
            (1, 8, 8),
            "expects 3 input channels but the input has 1",
        ),
        (
            lambda: Conv2D(8, 3, padding=1, dilation=3),
            (1, 4, 4),
            "Conv2D 3x3: input is 4x4 (6x6 with padding), smaller than the dilated kernel (7x7)",
        ),
        (lambda: Conv1D(8, 3), (1, 28, 28), "Conv1D needs a signal input (channels, length)"),
        (lambda: Conv1D(8, 7), (2, 5), "Conv1D 7: input is 5, smaller than the kernel"),
    ],
)
def test_shape_errors(make, shape, message):
    with pytest.raises(SpecError) as info:
        make().output_shape(shape)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "kwargs, key",
    [
        (dict(out_channels=0, kernel_size=3), "out_channels"),
        (dict(out_channels=4, kernel_size=0), "kernel_size"),
        (dict(out_channels=4, kernel_size=3, stride=2, padding="same"), "padding"),
        (dict(out_channels=4, kernel_size=3, padding="full"), "padding"),
        (dict(out_channels=4, kernel_size=3, padding=-1), "padding"),
        (dict(out_channels=4, kernel_size=(3, 3, 3)), "kernel_size"),
        (dict(out_channels=4, kernel_size=3, activation="swish"), "activation"),
    ],
)
def test_bad_settings(kwargs, key):
    with pytest.raises(SpecError) as info:
        Conv2D(**kwargs)
    assert info.value.key == key


@pytest.mark.parametrize(
    "kwargs", [dict(kernel_size=3, padding="same"), dict(kernel_size=(3, 2), stride=2, padding=1)]
)
def test_shared_gradcheck_in_training_mode(kwargs):
    """The training path (reused scratch buffers) passes the engine's own gradient checker."""
    from visualnn.engine.gradcheck import check_layer_gradients

    check_layer_gradients(Conv2D(3, **kwargs), (2, 6, 5), training=True)
    check_layer_gradients(Conv1D(2, 3, padding=1), (2, 7), training=True)


def test_training_mode_equals_eval_mode_and_records():
    rng = np.random.default_rng(8)
    layer = Conv2D(4, 3, padding="same", activation="relu", in_channels=2)
    x = rng.standard_normal((3, 2, 6, 6)).astype(np.float32)
    g = rng.standard_normal((3, 4, 6, 6)).astype(np.float32)
    y_eval = layer.forward(x)
    dx_eval = layer.backward(g)
    layer.zero_grad()
    for _ in range(2):  # the second step runs on reused buffers
        y_train = layer.forward(x, training=True)
        np.testing.assert_array_equal(y_train, y_eval)
        np.testing.assert_array_equal(layer.backward(g), dx_eval)
    layer.record = True
    y = layer.forward(x, training=True)
    assert np.all(layer.last_out == np.maximum(layer.last_pre, 0)) and layer.last_out is y
    assert (layer.last_pre < 0).any()  # the pre-activation was kept before the ReLU


def test_small_cnn_end_to_end_gradients():
    """conv -> maxpool -> conv (stride 2) -> avgpool, back-propagated as one chain."""
    from visualnn.engine.pooling import AvgPool2D, MaxPool2D

    rng = np.random.default_rng(9)
    layers = [
        cast_layer(Conv2D(3, 3, padding="same", activation="tanh", in_channels=2)),
        MaxPool2D(2),
        cast_layer(Conv2D(4, 3, stride=2, padding=1, in_channels=3)),
        AvgPool2D(2),
    ]
    x = rng.standard_normal((2, 2, 8, 8))

    def run(training):
        h = x
        for layer in layers:
            h = layer.forward(h, training)
        return h

    r = rng.standard_normal(run(True).shape)
    g = r
    for layer in reversed(layers):
        layer.zero_grad()
        g = layer.backward(g)
    analytic = g.copy()
    w0 = layers[0].grads["weight"].copy()

    def loss():
        return float(np.sum(run(False) * r))

    np.testing.assert_allclose(analytic, numerical_grad(loss, x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(w0, numerical_grad(loss, layers[0].params["weight"]), rtol=1e-5)


def test_weight_gradient_in_cache_sized_pieces_equals_one_product():
    from visualnn.engine import im2col

    rng = np.random.default_rng(3)
    length = 2 * im2col.GRAD_CHUNK + 1234  # long enough to be split, with a short last piece
    cols = rng.standard_normal((10, length))
    gz = rng.standard_normal((8, length))
    assert 10 * 8 <= im2col.SMALL_GRAD_ENTRIES  # the split path is the one under test
    np.testing.assert_allclose(im2col.cols_times_grad(cols, gz), cols @ gz.T, rtol=1e-12)


def test_conv_weight_gradient_on_a_long_batch_matches_naive_sum():
    # 1 channel, 3x3 kernel, 8 channels out, 48 x 20x20 = 19,200 output pixels: the chunked
    # weight-gradient path; dL/dW[o, 0, i, j] = sum over n, h, w of g[n, o, h, w] x[n, h+i, w+j].
    rng = np.random.default_rng(4)
    layer = cast_layer(Conv2D(8, 3, in_channels=1))
    x = rng.standard_normal((48, 1, 22, 22))
    y = layer.forward(x, training=True)
    g = rng.standard_normal(y.shape)
    layer.backward(g)
    expected = np.empty((8, 1, 3, 3))
    for i in range(3):
        for j in range(3):
            expected[:, 0, i, j] = np.einsum("nohw,nhw->o", g, x[:, 0, i : i + 20, j : j + 20])
    np.testing.assert_allclose(layer.grads["weight"], expected, rtol=1e-10)
    np.testing.assert_allclose(layer.grads["bias"], g.sum(axis=(0, 2, 3)), rtol=1e-10)
