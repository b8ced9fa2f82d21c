"""The workloads of ``visualnn bench``: one training step each, in the NumPy engine and in
PyTorch, and the timing loop a worker process runs (``python -m visualnn.bench.engine
--worker``). See ``visualnn.bench.engine`` for how the two sides are compared.
"""

from __future__ import annotations

import time
from typing import Any

WORKLOADS: dict[str, dict[str, Any]] = {
    "mlp": {"batch": 128, "title": "MLP 784-256-128-10 ReLU"},
    "cnn": {"batch": 64, "title": "CNN 1x28x28 conv8-pool-conv16-pool-dense10"},
    "gru": {"batch": 64, "title": "GRU 64 on 40 features x 100 steps, dense10"},
}
INPUT_SHAPES = {"mlp": (784,), "cnn": (1, 28, 28), "gru": (40, 100)}
DATA_BATCHES = 4  # cycled, so neither side trains on one cache-hot batch


# --- the two sides (run inside a worker process) ----------------------------------------
def _data(workload: str):
    import numpy as np

    rng = np.random.default_rng(0)
    batch = WORKLOADS[workload]["batch"]
    shape = INPUT_SHAPES[workload]
    xs = rng.standard_normal((DATA_BATCHES, batch, *shape)).astype(np.float32)
    ys = rng.integers(0, 10, (DATA_BATCHES, batch))
    return xs, ys


def numpy_step_fn(workload: str):
    """A zero-argument function running one training step of the NumPy engine."""
    from visualnn.engine.conv import Conv2D
    from visualnn.engine.dense import Dense
    from visualnn.engine.losses import CrossEntropyLoss
    from visualnn.engine.optim import SGD
    from visualnn.engine.pooling import MaxPool2D
    from visualnn.engine.recurrent import GRU
    from visualnn.engine.reshape import Flatten
    from visualnn.engine.sequential import Sequential

    if workload == "mlp":
        layers = [Dense(256, activation="relu"), Dense(128, activation="relu"), Dense(10)]
    elif workload == "gru":
        layers = [GRU(64), Dense(10)]
    else:
        layers = [
            Conv2D(8, 3, padding="same", activation="relu"),
            MaxPool2D(2),
            Conv2D(16, 3, padding="same", activation="relu"),
            MaxPool2D(2),
            Flatten(),
            Dense(10),
        ]
    # input_grad False: the first layer skips dX
    model = Sequential(layers, INPUT_SHAPES[workload], seed=0)
    loss = CrossEntropyLoss()
    opt = SGD(model.parameters(), lr=0.01)
    xs, ys = _data(workload)
    counter = [0]

    def step() -> float:
        i = counter[0] = (counter[0] + 1) % DATA_BATCHES
        model.zero_grad(fill=False)  # as torch's default set_to_none=True
        value = loss.forward(model.forward(xs[i], training=True, check=False), ys[i])
        model.backward(loss.backward())
        opt.step()
        return value

    return step


def torch_step_fn(workload: str, threads: int):
    """The same step in PyTorch (input without requires_grad, so no dX for layer one)."""
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if workload == "gru":
        return _torch_gru_step(threads)
    if workload == "mlp":
        model = nn.Sequential(
            nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
        )
    else:
        model = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding="same"),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding="same"),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(16 * 7 * 7, 10),
        )
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    xs, ys = _data(workload)
    xs, ys = torch.from_numpy(xs), torch.from_numpy(ys)
    counter = [0]

    def step() -> float:
        i = counter[0] = (counter[0] + 1) % DATA_BATCHES
        opt.zero_grad()
        value = loss_fn(model(xs[i]), ys[i])
        value.backward()
        opt.step()
        return value.item()

    return step


def _torch_gru_step(threads: int):
    import torch
    from torch import nn

    gru, head = nn.GRU(40, 64, batch_first=True), nn.Linear(64, 10)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD([*gru.parameters(), *head.parameters()], lr=0.01)
    xs, ys = _data("gru")
    xs, ys = torch.from_numpy(xs), torch.from_numpy(ys)
    counter = [0]

    def step() -> float:
        i = counter[0] = (counter[0] + 1) % DATA_BATCHES
        opt.zero_grad()
        _, h_n = gru(xs[i].permute(0, 2, 1))  # (N, features, T) -> (N, T, features)
        value = loss_fn(head(h_n[0]), ys[i])
        value.backward()
        opt.step()
        return value.item()

    return step


def measure(side: str, workload: str, seconds: float, warmup: int, threads: int) -> dict:
    """Run warm-up steps, then time whole steps for about ``seconds``; samples per second."""
    step = numpy_step_fn(workload) if side == "numpy" else torch_step_fn(workload, threads)
    for _ in range(warmup):
        step()
    steps, start = 0, time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and steps >= 3:
            break
    batch = WORKLOADS[workload]["batch"]
    return {
        "side": side,
        "workload": workload,
        "steps": steps,
        "seconds": elapsed,
        "samples_per_second": steps * batch / elapsed,
    }
