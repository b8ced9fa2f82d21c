"""Recompute one unit's output from the real weights and inputs, step by step.

The neuron view shows these numbers; the tests check that they equal what the model itself
computed (``records[i].pre`` / ``.out``), so what students read is what the network did.
"""

from __future__ import annotations

import numpy as np

from visualnn.ui.model.catalog import human_name
from visualnn.ui.model.recurrent import is_recurrent
from visualnn.ui.views.common import activation_name, fmt, fmt_paren, window_geometry
from visualnn.ui.views.explanation import Explanation
from visualnn.ui.views.neuron_recurrent import explain_recurrent


def _activate(ex: Explanation, z_all: np.ndarray | None) -> None:
    """Fill ``a`` (and the softmax context) from ``z`` and write the activation line."""
    if ex.activation == "softmax" and z_all is not None:
        z_all = np.asarray(z_all, dtype=np.float64).reshape(-1)
        m = float(z_all.max())
        e = np.exp(z_all - m)
        ex.softmax_shift = m
        ex.softmax_rest = float(e.sum() - np.exp(ex.z - m))
        ex.a = float(np.exp(ex.z - m) / e.sum())
        ex.lines.append(f"a = e^z / \u03a3 e^z\u2096 = {fmt(ex.a)}   ({z_all.size} outputs)")
    else:
        ex.a = float(ex.apply(ex.z))
        if ex.activation in ("linear", "identity"):
            ex.lines.append(f"a = z = {fmt(ex.a)}   (no activation)")
        else:
            ex.lines.append(f"a = {human_name(ex.activation)}({fmt(ex.z)}) = {fmt(ex.a)}")


def _sum_line(ex: Explanation, symbol: str) -> None:
    ex.lines.append(f"z = {symbol} + b = {fmt(ex.total)} + {fmt_paren(ex.bias)} = {fmt(ex.z)}")


def explain_dense(layer, rec, unit: tuple, act: str, top: int = 12) -> Explanation:
    x = np.asarray(rec.input[0], dtype=np.float64).reshape(-1)
    w = np.asarray(layer.params["weight"][unit[0]], dtype=np.float64)
    b = float(layer.params["bias"][unit[0]]) if "bias" in layer.params else 0.0
    prod = x * w
    order = np.argsort(-np.abs(prod), kind="stable")
    ex = Explanation("dense", unit, act, bias=b)
    ex.terms = [(f"x{_sub(i)}", float(x[i]), float(w[i]), float(prod[i])) for i in order]
    ex.total = float(prod.sum())
    ex.z = ex.total + b
    _sum_line(ex, "\u03a3 x\u1d62\u00b7w\u1d62")
    _activate(ex, rec.pre[0] if act == "softmax" else None)
    return ex


def _pad_patch(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, fill: float):
    """Gather ``x[:, rows][:, :, cols]`` with out-of-range positions set to ``fill``."""
    h, w = x.shape[-2:]
    rin = (rows >= 0) & (rows < h)
    cin = (cols >= 0) & (cols < w)
    patch = x[:, np.clip(rows, 0, h - 1)][:, :, np.clip(cols, 0, w - 1)].astype(np.float64)
    outside = ~(rin[:, None] & cin[None, :])
    patch[:, outside] = fill
    return patch, outside


def _window_indices(cfg: dict, unit: tuple, one_d: bool):
    if one_d:
        cfg = dict(cfg)
        for key, other in (("kernel_size", 1), ("stride", 1), ("dilation", 1), ("padding", 0)):
            v = cfg.get(key)
            if isinstance(v, (list, tuple)):
                v = v[-1]
            if isinstance(v, (int, float)):
                cfg[key] = (other, int(v))
        g = window_geometry(cfg)
        g_rows = np.array([0])
        cols = unit[-1] * g.stride[1] - g.pad[1] + g.dilation[1] * np.arange(g.kernel[1])
        return g_rows, cols
    g = window_geometry(cfg)
    rows = unit[1] * g.stride[0] - g.pad[0] + g.dilation[0] * np.arange(g.kernel[0])
    cols = unit[2] * g.stride[1] - g.pad[1] + g.dilation[1] * np.arange(g.kernel[1])
    return rows, cols


def explain_conv(layer, rec, unit: tuple, act: str) -> Explanation:
    x = np.asarray(rec.input[0], dtype=np.float64)
    one_d = x.ndim == 2
    xs = x[:, None, :] if one_d else x  # treat 1-D signals as 1-row images
    rows, cols = _window_indices(layer.config(), unit, one_d)
    patch, outside = _pad_patch(xs, rows, cols, 0.0)
    kernel = np.asarray(layer.params["weight"][unit[0]], dtype=np.float64)
    if one_d:
        kernel = kernel[:, None, :]
    b = float(layer.params["bias"][unit[0]]) if "bias" in layer.params else 0.0
    prod = patch * kernel
    ex = Explanation(
        "conv",
        unit,
        act,
        bias=b,
        kernel=kernel,
        patch=patch,
        padded=np.broadcast_to(outside, patch.shape),
    )
    flat = np.argsort(-np.abs(prod.reshape(-1)), kind="stable")
    for k in flat:
        c, r, s = np.unravel_index(k, prod.shape)
        ex.terms.append(
            (f"c{c} ({r},{s})", float(patch[c, r, s]), float(kernel[c, r, s]), float(prod[c, r, s]))
        )
    ex.total = float(prod.sum())
    ex.z = ex.total + b
    _sum_line(ex, "\u03a3 patch\u00b7kernel")
    _activate(ex, None)
    return ex


def explain_pool(layer, rec, unit: tuple) -> Explanation:
    x = np.asarray(rec.input[0], dtype=np.float64)
    is_max = "max" in str(layer.config().get("type", type(layer).__name__)).lower()
    rows, cols = _window_indices(layer.config(), unit, x.ndim == 2)
    xs = x[:, None, :] if x.ndim == 2 else x
    window, outside = _pad_patch(xs[unit[0] : unit[0] + 1], rows, cols, -np.inf if is_max else 0.0)
    window = window[0]
    ex = Explanation("pool", unit, "linear", window=window, padded=outside)
    if is_max:
        ex.z = ex.a = float(window.max())
        ex.lines.append(f"a = max(window) = {fmt(ex.a)}")
    else:
        ex.z = ex.a = float(window.mean())
        ex.lines.append(f"a = mean(window) = {fmt(window.sum())} / {window.size} = {fmt(ex.a)}")
    return ex


def explain_elementwise(layer, rec, unit: tuple, act: str) -> Explanation:
    """A stand-alone activation (or identity/dropout at inference): ``a = f(x)``."""
    x_in = np.asarray(rec.input[0], dtype=np.float64)
    kind = "activation" if act not in ("linear", "identity") else "passthrough"
    ex = Explanation(kind, unit, act)
    ex.z = float(x_in[unit])
    ex.lines.append(f"z = input{_fmt_unit(unit)} = {fmt(ex.z)}")
    _activate(ex, x_in if act == "softmax" else None)
    return ex


def explain_flatten(rec, unit: tuple) -> Explanation:
    x_in = np.asarray(rec.input[0])
    src = np.unravel_index(unit[0], x_in.shape)
    ex = Explanation("passthrough", unit)
    ex.z = ex.a = float(x_in[src])
    ex.lines.append(
        f"a = input{_fmt_unit(tuple(int(s) for s in src))} = {fmt(ex.a)}"
        "   (flatten only re-arranges values)"
    )
    return ex


def explain(model, records, index: int, unit: tuple) -> Explanation:
    """Explain unit ``unit`` of layer ``index``; raises ``ValueError`` for a stale selection."""
    layer, rec = model.layers[index], records[index]
    if is_recurrent(layer):  # (j,) or (j, t), whatever the layer outputs
        return explain_recurrent(layer, rec, unit)
    out_shape = rec.out.shape[1:]
    fits = len(unit) == len(out_shape) and all(
        0 <= u < n for u, n in zip(unit, out_shape, strict=True)
    )
    if not fits:
        raise ValueError(f"Unit {unit} is not in this layer (shape {out_shape}).")
    kind = str(layer.config().get("type", "")).lower()
    act = activation_name(layer)
    if kind == "dense":
        return explain_dense(layer, rec, unit, act)
    if kind.startswith("conv"):
        return explain_conv(layer, rec, unit, act)
    if "pool" in kind:
        return explain_pool(layer, rec, unit)
    if kind == "flatten":
        return explain_flatten(rec, unit)
    return explain_elementwise(layer, rec, unit, act)


_SUBSCRIPTS = str.maketrans("0123456789", "".join(chr(0x2080 + d) for d in range(10)))


def _sub(i: int) -> str:
    return str(i).translate(_SUBSCRIPTS)


def _fmt_unit(unit: tuple) -> str:
    return "[" + ", ".join(str(u) for u in unit) + "]"
