"""Same numbers as PyTorch: layers, losses and ten optimizer steps.

Collected only where torch is installed (see tests/conftest.py); the hand-written torch
formulas in the other engine tests cover the same ground without it.
"""

import numpy as np
import pytest
import torch

pytestmark = pytest.mark.torch

from visualnn.engine.activations import ACTIVATIONS, sigmoid  # noqa: E402
from visualnn.engine.dense import Dense  # noqa: E402
from visualnn.engine.losses import BCELoss, CrossEntropyLoss, L1Loss, MSELoss  # noqa: E402
from visualnn.engine.optim import SGD, Adagrad, Adam, Param, RMSprop, clip_grad_norm  # noqa: E402

pytestmark = pytest.mark.torch
F = torch.nn.functional

TORCH_ACT = {
    None: lambda z: z,
    "relu": torch.relu,
    "leaky_relu": F.leaky_relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda z: torch.softmax(z, dim=1),
}


@pytest.mark.parametrize("activation", list(TORCH_ACT))
def test_dense_matches_linear(activation):
    rng = np.random.default_rng(0)
    layer = Dense(7, activation=activation, in_features=5)
    lin = torch.nn.Linear(5, 7)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(layer.params["weight"]))
        lin.bias.copy_(torch.from_numpy(layer.params["bias"]))
    x = rng.standard_normal((4, 5)).astype(np.float32)
    g = rng.standard_normal((4, 7)).astype(np.float32)
    xt = torch.from_numpy(x).requires_grad_()
    yt = TORCH_ACT[activation](lin(xt))
    yt.backward(torch.from_numpy(g))
    y = layer.forward(x, training=True)
    dx = layer.backward(g)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(layer.grads["weight"], lin.weight.grad.numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(layer.grads["bias"], lin.bias.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_activation_layers_match():
    x = np.random.default_rng(1).standard_normal((3, 4, 2)).astype(np.float32) * 3
    for name, fn in TORCH_ACT.items():
        if name is None:
            continue
        xt = torch.from_numpy(x).requires_grad_()
        fn(xt).sum().backward()
        layer = ACTIVATIONS[name]()
        y = layer.forward(x)
        np.testing.assert_allclose(y, fn(torch.from_numpy(x)).numpy(), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(layer.backward(np.ones_like(y)), xt.grad.numpy(), atol=1e-6)


@pytest.mark.parametrize("scale", [1.0, 50.0])
def test_losses_match(scale):
    rng = np.random.default_rng(2)
    pred = (rng.standard_normal((6, 3)) * scale).astype(np.float32)
    target = rng.standard_normal((6, 3)).astype(np.float32)
    prob = sigmoid(pred)
    labels = rng.integers(0, 3, 6)
    cases = [
        (MSELoss(), pred, target, F.mse_loss, torch.from_numpy(target)),
        (L1Loss(), pred, target, F.l1_loss, torch.from_numpy(target)),
        (BCELoss(), prob, (target > 0).astype(np.float32), F.binary_cross_entropy, None),
        (CrossEntropyLoss(), pred, labels, F.cross_entropy, torch.from_numpy(labels)),
    ]
    for loss, p, t, fn, tt in cases:
        tt = torch.from_numpy(t) if tt is None else tt
        pt = torch.from_numpy(p).requires_grad_()
        want = fn(pt, tt)
        want.backward()
        assert loss.forward(p, t) == pytest.approx(want.item(), rel=1e-5, abs=1e-6)
        np.testing.assert_allclose(loss.backward(), pt.grad.numpy(), rtol=1e-4, atol=1e-7)


OPTS = [
    (lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (lambda p: SGD(p, lr=0.1, momentum=0.5, dampening=0.2),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5, dampening=0.2)),
    (lambda p: Adam(p, lr=0.01, weight_decay=0.1),
     lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1)),
    (lambda p: Adam(p, lr=0.01, amsgrad=True),
     lambda p: torch.optim.Adam(p, lr=0.01, amsgrad=True)),
    (lambda p: RMSprop(p, lr=0.01, momentum=0.9, centered=True),
     lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.9, centered=True)),
    (lambda p: RMSprop(p), lambda p: torch.optim.RMSprop(p)),
    (lambda p: Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.1),
     lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.1)),
]  # fmt: skip


@pytest.mark.parametrize("ours, theirs", OPTS)
def test_ten_optimizer_steps_match(ours, theirs):
    rng = np.random.default_rng(3)
    values = [rng.standard_normal((4, 3)), rng.standard_normal(3)]
    params = [Param(v.copy(), np.zeros_like(v)) for v in values]
    tparams = [torch.tensor(v, requires_grad=True) for v in values]
    opt, topt = ours(params), theirs(tparams)
    for _ in range(10):
        grads = [rng.standard_normal(v.shape) for v in values]
        for p, tp, g in zip(params, tparams, grads, strict=True):
            p.grad[...] = g
            tp.grad = torch.tensor(g)
        opt.step()
        topt.step()
    for p, tp in zip(params, tparams, strict=True):
        np.testing.assert_allclose(p.value, tp.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_clip_grad_norm_matches():
    rng = np.random.default_rng(4)
    grads = [rng.standard_normal((5, 2)) * 3, rng.standard_normal(2)]
    params = [Param(np.zeros_like(g), g.copy()) for g in grads]
    tparams = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for tp, g in zip(tparams, grads, strict=True):
        tp.grad = torch.tensor(g)
    total = clip_grad_norm(params, 1.0)
    assert total == pytest.approx(torch.nn.utils.clip_grad_norm_(tparams, 1.0).item())
    for p, tp in zip(params, tparams, strict=True):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-12)


# --- recurrent layers -------------------------------------------------------------------
def _recurrent_pair(kind, hidden, n_in, bidirectional, return_sequences, nonlinearity="tanh"):
    """Our layer in float64 and torch's with the same weights copied in."""
    from visualnn.engine.gradcheck import cast_layer
    from visualnn.engine.recurrent import GRU, LSTM, RNN

    ours = {"rnn": RNN, "gru": GRU, "lstm": LSTM}[kind]
    theirs = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[kind]
    extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
    layer = ours(hidden, bidirectional=bidirectional, return_sequences=return_sequences, **extra)
    layer.build((n_in, 1), np.random.default_rng(0))
    cast_layer(layer)
    net = theirs(n_in, hidden, batch_first=True, bidirectional=bidirectional, **extra).double()
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(torch.from_numpy(layer.params[name]))
    return layer, net


def _torch_output(net, x, return_sequences, bidirectional):
    """Our layout (N, F, T) in, our output layout out: (N, H*dirs, T) or h_n concatenated."""
    xt = torch.from_numpy(x).requires_grad_()
    out, h_n = net(xt.permute(0, 2, 1))  # torch's batch_first wants (N, T, F)
    h_n = h_n[0] if isinstance(h_n, tuple) else h_n
    y = out.permute(0, 2, 1) if return_sequences else torch.cat(list(h_n), dim=1)
    return xt, y


RECURRENT_CASES = [
    ("rnn", "tanh"),
    ("rnn", "relu"),
    ("gru", "tanh"),
    ("lstm", "tanh"),
]


@pytest.mark.parametrize("kind, nonlinearity", RECURRENT_CASES)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_recurrent_layers_match_torch(kind, nonlinearity, bidirectional, return_sequences):
    rng = np.random.default_rng(5)
    n, f, t, h = 3, 4, 7, 5
    layer, net = _recurrent_pair(kind, h, f, bidirectional, return_sequences, nonlinearity)
    layer.zero_grad()
    grads = []
    for _ in range(2):  # two backward calls: both sides accumulate
        x = rng.standard_normal((n, f, t))
        xt, yt = _torch_output(net, x, return_sequences, bidirectional)
        y = layer.forward(x)
        g = rng.standard_normal(y.shape)
        yt.backward(torch.from_numpy(g))
        dx = layer.backward(g)
        np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-6, atol=1e-6)
        grads.append({k: v.copy() for k, v in layer.grads.items()})
    assert set(layer.grads) == {name for name, _ in net.named_parameters()}
    for name, p in net.named_parameters():
        np.testing.assert_allclose(layer.grads[name], p.grad.numpy(), rtol=1e-6, atol=1e-6)
        assert not np.allclose(grads[0][name], grads[1][name])  # the second call added to it


def test_gru_float32_training_step_matches_torch():
    """Float32 run-time path (scratch buffers, the fused Sequential) against torch's float32."""
    from visualnn.engine import Sequential

    rng = np.random.default_rng(6)
    model = Sequential.from_spec(
        [{"type": "gru", "hidden_size": 6, "bidirectional": True}, {"type": "dense", "units": 3}],
        (4, 9),
    )
    gru = torch.nn.GRU(4, 6, batch_first=True, bidirectional=True)
    head = torch.nn.Linear(12, 3)
    with torch.no_grad():
        for name, p in gru.named_parameters():
            p.copy_(torch.from_numpy(model.layers[0].params[name]))
        head.weight.copy_(torch.from_numpy(model.layers[1].params["weight"]))
        head.bias.copy_(torch.from_numpy(model.layers[1].params["bias"]))
    x = rng.standard_normal((5, 4, 9)).astype(np.float32)
    labels = rng.integers(0, 3, 5)
    loss = CrossEntropyLoss()
    model.zero_grad()
    value = loss.forward(model.forward(x, training=True), labels)
    model.backward(loss.backward())
    _, h_n = gru(torch.from_numpy(x).permute(0, 2, 1))
    want = F.cross_entropy(head(torch.cat(list(h_n), 1)), torch.from_numpy(labels))
    want.backward()
    assert value == pytest.approx(want.item(), rel=1e-5)
    for name, p in gru.named_parameters():
        np.testing.assert_allclose(
            model.layers[0].grads[name], p.grad.numpy(), rtol=1e-4, atol=1e-6
        )


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_recurrent_float32_forward_matches_torch(kind):
    """The run-time dtype: sequences of 50 steps stay within float32 rounding of torch."""
    from visualnn.engine.recurrent import GRU, LSTM, RNN

    rng = np.random.default_rng(7)
    layer = {"rnn": RNN, "gru": GRU, "lstm": LSTM}[kind](
        32, bidirectional=True, return_sequences=True, input_size=8
    )
    net = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[kind](
        8, 32, batch_first=True, bidirectional=True
    )
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(torch.from_numpy(layer.params[name]))
    x = rng.standard_normal((16, 8, 50)).astype(np.float32)
    y = layer.forward(x, training=True)
    out, _ = net(torch.from_numpy(x).permute(0, 2, 1))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, out.permute(0, 2, 1).detach().numpy(), atol=2e-6)


def test_cosine_schedule_matches_cosine_annealing_lr():
    from visualnn.engine import TrainConfig

    cfg = TrainConfig(lr=0.05, epochs=5, lr_schedule="cosine")
    batches = 7
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=cfg.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs * batches)
    for step in range(cfg.epochs * batches):
        epoch, batch = divmod(step, batches)
        ours = cfg.lr * cfg.lr_scale((epoch + batch / batches) / cfg.epochs)
        assert ours == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12, abs=1e-15)
        opt.step()
        sched.step()
