"""Learning tests: the presets, with their fixed seeds, reach the promised accuracies.

Test accuracy is measured on each dataset's fixed held-out split (never trained on).
Each test takes a few seconds on 2 idle cores.
"""

import numpy as np
import pytest

from visualnn.engine import DivergedReport, Trainer
from visualnn.presets import build_preset


def train_preset(name):
    model, data, config = build_preset(name)
    trainer = Trainer(model, (data.x_train, data.y_train), config=config, task=data.task)
    reports = list(trainer.steps())
    assert not any(isinstance(r, DivergedReport) for r in reports)
    return model, data, trainer


@pytest.mark.parametrize(
    "name, minimum",
    [("spiral", 0.95), ("xor", 0.95), ("circle", 0.95), ("digits-mlp", 0.96), ("digits-cnn", 0.97)],
)
def test_preset_reaches_test_accuracy(name, minimum):
    model, data, trainer = train_preset(name)
    _, acc = trainer.evaluate(data.x_test, data.y_test)
    assert acc >= minimum, f"{name}: test accuracy {acc:.3f} < {minimum}"
    # predict() agrees with the evaluation: probabilities whose argmax is the class.
    p = model.predict(data.x_test)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-4)
    assert np.mean(p.argmax(axis=1) == data.y_test) == pytest.approx(acc)


def test_sum_preset_adds_numbers():
    model, _, trainer = train_preset("sum")
    assert trainer.history[-1]["epoch"] == 50
    answer = float(model.predict(np.array([[0.3, 0.1]], np.float32))[0, 0])
    assert abs(answer - 0.4) < 0.05, f"0.3 + 0.1 gave {answer:.3f}"


def test_neuron_preset_worked_example_and_learning():
    model, data, config = build_preset("neuron")
    x = np.array([[0.5, 0.3, 0.2]], np.float32)
    # sigmoid(0.4*0.5 + 0.7*0.3 + 0.2*0.2 + 0) = sigmoid(0.45)
    assert float(model.predict(x)[0, 0]) == pytest.approx(1 / (1 + np.exp(-0.45)), rel=1e-6)
    np.testing.assert_array_equal(data.x_test[0], x[0])
    trainer = Trainer(model, (data.x_train, data.y_train), (data.x_test, data.y_test), config)
    trainer.run()
    assert trainer.history[-1]["train_acc"] >= 0.85
