"""The text of an exported PyTorch module: docstring, constants, ``Net`` and ``load()``.

Pure string work, so writing the file needs neither torch nor the network's data.
"""

from __future__ import annotations

import ast
import json
from typing import Any

from .common import ExportNet

LOSS_CODE = {
    "cross_entropy": ("torch.nn.CrossEntropyLoss()", "y (B,) int64 class indices"),
    "mse": ("torch.nn.MSELoss()", "y float32, the shape of the output"),
    "l1": ("torch.nn.L1Loss()", "y float32, the shape of the output"),
    "bce": ("torch.nn.BCELoss()", "y float32 in [0, 1], the shape of the output"),
}
OPTIMIZER_CLASS = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad"}

RECURRENT_CLASS = '''

class Recurrent(nn.Module):
    """visualnn's recurrent layer: (B, features, T) in, like a Conv1d's output.

    Out: (B, hidden * directions, T) when ``return_sequences``, else the final hidden state
    (B, hidden * directions), directions side by side, forward first.
    """

    def __init__(self, rnn, return_sequences):
        super().__init__()
        self.rnn = rnn
        self.return_sequences = return_sequences

    def forward(self, x):
        y, h = self.rnn(x.transpose(1, 2))  # batch_first: (B, T, features)
        if isinstance(h, tuple):  # an LSTM also returns its cell state
            h = h[0]
        if self.return_sequences:
            return y.transpose(1, 2)
        return h.transpose(0, 1).reshape(x.shape[0], -1)
'''

TEMPLATE = '''"""{title}: a network trained in visualnn, as a PyTorch module.

Written by ``visualnn export``; the trained weights are in ``{weights}`` beside this
file (keep the two together).

Input: float32 (B, {shape}).
Output: {output_text}.

Use it::

    import torch
    import {name}

    net = {name}.load()  # an nn.Module in eval mode, with the trained weights
    x = torch.rand(4, *{name}.INPUT_SHAPE)  # a batch of 4 inputs
    with torch.no_grad():
        y = net(x)
{use_tail}
Keep training it (here one epoch over a DataLoader of (x, y) pairs)::

    net.train()  # dropout active again
    optimizer = {optimizer}
    loss_fn = {loss}  # {target}
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        optimizer.step()
    torch.save(net.state_dict(), "{name}_trained.pt")

ONNX, several GPUs or machines: see docs/EXPORT.md in visualnn.
"""

from pathlib import Path

import numpy as np
import torch
from torch import nn

#: Names of the output classes, in output order ([] when unnamed).
CLASS_NAMES = {class_names}
#: One input sample; a batch is float32 (B, *INPUT_SHAPE).
INPUT_SHAPE = {input_shape}
#: How visualnn turned raw sound into the input (None: the input is used as it is).
INPUT_TRANSFORM = {input_transform}
#: "logits": apply a softmax over dim 1 for probabilities; "output": use as it is.
OUTPUT = {output_src}
#: The trained weights, written beside this file by visualnn.
WEIGHTS = Path(__file__).with_name({weights_src})
{recurrent}

class Net(nn.Module):
    """{title}: (B, {shape}) -> {output}."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
{layers}
        )

    def forward(self, x):
        return self.layers(x)


def load(weights=WEIGHTS):
    """The network with visualnn's trained weights, in eval mode (dropout off)."""
    net = Net()
    with np.load(weights, allow_pickle=False) as arrays:
        state = {{key: torch.from_numpy(arrays[key]) for key in arrays.files}}
    net.load_state_dict(state)
    return net.eval()
'''


def _flat(value: Any) -> str:
    """One-line Python source of a JSON-able value, strings in double quotes."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flat(k)}: {_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        inner = ", ".join(_flat(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    return repr(value)  # bool, None, int, float


def _wrapped(value: Any, indent: int) -> str:
    """Source of ``value`` broken over lines of at most 90 columns where it is long."""
    flat = _flat(value)
    if indent + len(flat) <= 90 or not isinstance(value, dict | list):
        return flat
    pad, end = " " * (indent + 4), " " * indent
    if isinstance(value, dict):
        items = [f"{pad}{_flat(k)}: {_wrapped(v, indent + 4)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{end}}}"
    lines, line = [], pad
    for item in (_wrapped(v, indent + 4) + "," for v in value):
        if line.strip() and len(line) + 1 + len(item) > 90:
            lines.append(line)
            line = pad
        line += (" " if line.strip() else "") + item
    return "[\n" + "\n".join([*lines, line]) + f"\n{end}]"


def literal(value: Any) -> str:
    """Python source for a JSON-able value (``true`` -> ``True``), wrapped at 90 columns.

    Values that are not plain literals (NaN in statistics) fall back to ``json.loads``.
    """
    text = _wrapped(value, 0)
    try:
        if ast.literal_eval(text) == value:
            return text
    except (ValueError, SyntaxError):
        pass
    return f'__import__("json").loads({json.dumps(json.dumps(value))})'


def _optimizer(config: dict[str, Any]) -> str:
    name = config.get("optimizer", "adam")
    args = [f"lr={config.get('lr', 0.001)!r}"]
    if name in ("sgd", "rmsprop") and config.get("momentum"):
        args.append(f"momentum={config['momentum']!r}")
    if config.get("weight_decay"):
        args.append(f"weight_decay={config['weight_decay']!r}")
    return f"torch.optim.{OPTIMIZER_CLASS.get(name, 'Adam')}(net.parameters(), {', '.join(args)})"


def _use_tail(net: ExportNet, name: str) -> str:
    if net.output != "logits":
        return ""
    lines = ["    probabilities = y.softmax(dim=1)  # the confidences visualnn shows"]
    if net.class_names:
        lines.append(f"    print({name}.CLASS_NAMES[probabilities[0].argmax()])")
    return "\n".join(lines) + "\n"


def module_source(
    net: ExportNet, name: str, weights: str, lines: list[str], has_recurrent: bool
) -> str:
    """The whole ``OUT.py`` text for ``net`` (module ``name``, weights file ``weights``)."""
    loss = net.loss or ("cross_entropy" if net.task == "classification" else "mse")
    loss_code, target = LOSS_CODE.get(loss, LOSS_CODE["mse"])
    shape = ", ".join(str(s) for s in net.input_shape)
    if net.output == "logits":
        output_text = "logits (a softmax over dim 1 gives the class probabilities)"
    else:
        output_text = "what the network computes"
    # The title lands inside docstrings: no quotes or backslashes that could end them.
    title = " ".join(net.title.replace("\\", "/").replace('"', "'").split()) or "network"
    return TEMPLATE.format(
        title=title,
        name=name,
        weights=weights,
        shape=shape,
        output=net.output,
        output_src=_flat(net.output),
        weights_src=_flat(weights),
        output_text=output_text,
        use_tail=_use_tail(net, name),
        optimizer=_optimizer(net.config),
        loss=loss_code,
        target=target,
        class_names=literal(list(net.class_names)),
        input_shape=repr(tuple(net.input_shape)),
        input_transform=literal(net.input_transform),
        recurrent=RECURRENT_CLASS if has_recurrent else "",
        layers="\n".join(f"            {line}" for line in lines),
    )
