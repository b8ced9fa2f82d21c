"""The gradient checker itself: it must pass right layers and catch wrong ones."""

import numpy as np
import pytest

from visualnn.engine.dense import Dense
from visualnn.engine.gradcheck import (
    assert_layer_gradients,
    cast_layer,
    check_layer_gradients,
    gradcheck_layer,
    layer_gradients,
    numerical_grad,
    relative_error,
)
from visualnn.engine.module import Module


def test_numerical_grad_of_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = numerical_grad(lambda: float(np.sum(np.sin(x) * x**2)), x)
    np.testing.assert_allclose(g, np.cos(x) * x**2 + 2 * x * np.sin(x), rtol=1e-8)
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # restored


def test_numerical_grad_needs_float64_contiguous():
    with pytest.raises(TypeError):
        numerical_grad(lambda: 0.0, np.zeros(3, dtype=np.float32))
    with pytest.raises(ValueError):
        numerical_grad(lambda: 0.0, np.zeros((3, 4))[:, ::2])


def test_cast_layer_to_float64_and_back():
    layer = cast_layer(Dense(3, in_features=2))
    assert all(v.dtype == np.float64 for v in layer.params.values())
    assert all(v.dtype == np.float64 and not v.any() for v in layer.grads.values())
    assert layer.forward(np.ones((1, 2))).dtype == np.float64
    cast_layer(layer, np.float32)
    assert layer.forward(np.ones((1, 2))).dtype == np.float32


class WrongBias(Module):
    """y = x + b, but the bias gradient is off by a factor of two."""

    def build(self, input_shape, rng):
        super().build(input_shape, rng)
        self.params = {"bias": rng.standard_normal(input_shape)}
        self.grads = {"bias": np.zeros(input_shape)}

    def forward(self, x, training=False):
        return x + self.params["bias"]

    def backward(self, grad_out):
        # dL/db = sum_n dL/dy  (doubled on purpose)
        self.grads["bias"] += 2 * grad_out.sum(axis=0)
        return grad_out


def test_catches_a_wrong_parameter_gradient():
    layer = WrongBias()
    x = np.random.default_rng(0).standard_normal((3, 4))
    errors = gradcheck_layer(layer, x)
    assert errors["input"] < 1e-8 and errors["bias"] > 0.4
    with pytest.raises(AssertionError, match="bias gradient differs from finite differences"):
        assert_layer_gradients(WrongBias(), x)


def test_builds_unbuilt_layers_and_reports_every_param():
    grads = layer_gradients(Dense(2, activation="sigmoid"), np.ones((3, 5)) * 0.3)
    assert set(grads) == {"input", "weight", "bias"}
    for analytic, numeric in grads.values():
        assert relative_error(analytic, numeric) < 1e-7


def test_relative_error_scale():
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == pytest.approx(0.2 / 2.2)
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0


def test_check_layer_gradients_builds_for_a_shape():
    errors = check_layer_gradients(Dense(3, activation="sigmoid"), (4,), batch=3)
    assert set(errors) == {"input", "weight", "bias"} and max(errors.values()) < 1e-7
