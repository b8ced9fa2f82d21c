"""The exported PyTorch module: same numbers as visualnn, eval mode, trainable further.

Collected only where torch is installed (see conftest.py).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from export_helpers import (
    MODELS,
    as_probabilities,
    build,
    compare,
    export_net,
    load_module,
    random_inputs,
)

from visualnn.export import export_files, write_atomic

pytestmark = pytest.mark.torch
MAX_DIFF: dict[str, float] = {}


def export_py(net, folder, name="net_module"):
    path = folder / f"{name}.py"
    write_atomic(export_files(net, path))
    return path


def torch_output(path, x: np.ndarray) -> np.ndarray:
    net = load_module(path).load()
    with torch.no_grad():
        return net(torch.from_numpy(x)).numpy()


def check(model, x, folder, label):
    net = export_net(model)
    got = as_probabilities(torch_output(export_py(net, folder), x), net.output)
    MAX_DIFF[label] = max(MAX_DIFF.get(label, 0.0), compare(got, model, x))


@pytest.mark.parametrize("name", ["xor", "digits-cnn"])
def test_presets_on_real_and_random_inputs(trained, tmp_path, name):
    model, x_real = trained[name]
    check(model, x_real, tmp_path, f"{name} real")
    check(model, random_inputs(model.input_shape), tmp_path, f"{name} random")


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("seed", [0, 1])
def test_every_layer_setting_matches(tmp_path, name, seed):
    model = build(name, seed)
    check(model, random_inputs(model.input_shape, seed=seed + 5), tmp_path, f"{name} {seed}")


def test_load_gives_an_eval_module_with_the_trained_weights(tmp_path):
    model = build("sound-conv1d")
    module = load_module(export_py(export_net(model), tmp_path))
    net = module.load()
    assert isinstance(net, torch.nn.Module) and not net.training
    ours = [v for w in model.get_weights() for v in w.values()]
    theirs = [p.detach().numpy() for p in net.parameters()]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)
    # Dropout is active again in train mode: two passes differ.
    net.train()
    x = torch.from_numpy(random_inputs((40, 101), n=4))
    assert not torch.equal(net(x), net(x))


def code_blocks(doc: str) -> list[str]:
    """The indented blocks after each line ending in ``::``, dedented."""
    blocks, current = [], None
    for line in doc.splitlines():
        if current is not None and (not line.strip() or line.startswith("    ")):
            current.append(line)
            continue
        if current is not None:
            blocks.append(textwrap.dedent("\n".join(current)).strip() + "\n")
        current = [] if line.rstrip().endswith("::") else None
    if current is not None:
        blocks.append(textwrap.dedent("\n".join(current)).strip() + "\n")
    return blocks


def test_the_docstring_examples_run_as_written(tmp_path):
    """Run the file's own "Use it" and "Keep training it" blocks in a fresh interpreter."""
    model = build("conv2d-zoo")
    path = export_py(export_net(model, class_names=["a", "b", "c", "d"]), tmp_path, "zoo")
    use, train = code_blocks(load_module(path).__doc__)
    code = (
        use
        + "loader = [(torch.rand(8, *zoo.INPUT_SHAPE), torch.randint(0, 4, (8,)))] * 3\n"
        + "before = net.layers[0].weight.detach().clone()\n"
        + train
        + "assert not torch.equal(before, net.layers[0].weight), 'training changed nothing'\n"
        + "print('ok', zoo.CLASS_NAMES)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert "ok ['a', 'b', 'c', 'd']" in proc.stdout
    assert (tmp_path / "zoo_trained.pt").exists()


def test_report_max_differences():
    """Not a check: prints what the comparisons above measured (``pytest -s``)."""
    for name, diff in sorted(MAX_DIFF.items()):
        print(f"torch {name}: max |p_torch - p_visualnn| = {diff:.2e}")
