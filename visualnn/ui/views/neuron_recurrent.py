"""One recurrent unit at one time step, recomputed with the readable twin of the cell.

The numbers come from ``engine/reference/recurrent_cells`` (the seeds' formulas as plain
loops) run over the sample up to the chosen step; the tests check they equal the fast
layer's recorded ``last_states``, so the formula a student reads is what the network did.
Each gate's pre-activation is split into its part from the input ``x<t>``, its part from
the previous state ``a<t-1>`` and its biases, which is what the table shows.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np

from visualnn.engine.reference.recurrent_cells import cell_forward
from visualnn.ui.model.recurrent import UnitStep, layer_type, unit_step
from visualnn.ui.views.common import fmt, fmt_paren
from visualnn.ui.views.explanation import Explanation

SUFFIXES = ("", "_reverse")
GATE_TITLES = {
    "gru": (("r", "reset"), ("z", "update"), ("n", "candidate")),
    "lstm": (("i", "input"), ("f", "forget"), ("g", "candidate"), ("o", "output")),
}
SIGMA = "\u03c3"


@dataclass
class Gate:
    """One gate of unit ``j`` at step ``t``: ``value = fn(pre)``.

    ``pre = from_x + b_ih + scale * (from_a + b_hh)``; ``scale`` is 1 except for the GRU's
    candidate, where the reset gate multiplies the recurrent part.
    """

    name: str
    title: str
    fn: str  # "sigmoid", "tanh" or "relu"
    from_x: float
    from_a: float
    b_ih: float
    b_hh: float
    value: float
    scale: float = 1.0

    @property
    def pre(self) -> float:
        return self.from_x + self.b_ih + self.scale * (self.from_a + self.b_hh)


@dataclass
class RecurrentExplanation(Explanation):
    """``Explanation`` of kind ``"recurrent"``: ``z``/``a`` are the RNN's pre-activation and
    new state (for GRU and LSTM: the candidate's); ``h`` is the unit's new state."""

    cell: str = "rnn"
    where: UnitStep | None = None
    prev: int | None = None  # the step the previous state comes from (None: the start)
    gates: list[Gate] = field(default_factory=list)
    h: float = 0.0
    h_prev: float = 0.0
    c: float | None = None
    c_prev: float | None = None
    #: GRU / LSTM: per gate its formula and the same with numbers (plain text)
    gate_lines: list[tuple[str, str]] = field(default_factory=list)


_SUBSCRIPTS = str.maketrans("0123456789", "".join(chr(0x2080 + d) for d in range(10)))


def _sub(i: int) -> str:
    return str(i).translate(_SUBSCRIPTS)


def run_direction(cell: str, x: np.ndarray, p: dict, reverse: bool, until: int, act: str):
    """The reference cell from the direction's start up to step ``until`` (inclusive).

    Parameters
    ----------
    x : (F, T) float64
    p : dict
        The cells' parameters, ``W_ax`` (gates*H, F), ``W_aa`` (gates*H, H), biases (gates*H, 1).

    Returns
    -------
    a_prev, c_prev : (H, 1)
        States before step ``until``.
    a, c : (H, 1)
        States after it.
    cache : tuple
        The cell's cache of step ``until`` (its gate values).
    """
    hidden = p["W_aa"].shape[1]
    a = c = np.zeros((hidden, 1))
    steps = range(x.shape[1] - 1, until - 1, -1) if reverse else range(until + 1)
    for t in steps:
        a_prev, c_prev = a, c
        xt = x[:, t : t + 1]
        a, c, cache = cell_forward(cell, xt, a_prev, c_prev, p, act)
    return a_prev, c_prev, a, c, cache


def cell_params(layer, direction: int) -> dict:
    """torch's names of one direction -> the cells' ``W_ax``, ``W_aa``, ``b_ih``, ``b_hh``."""
    sfx = SUFFIXES[direction]
    get = lambda k: np.asarray(layer.params[f"{k}_l0{sfx}"], dtype=np.float64)  # noqa: E731
    return {"W_ax": get("weight_ih"), "W_aa": get("weight_hh"),
            "b_ih": get("bias_ih")[:, None], "b_hh": get("bias_hh")[:, None]}  # fmt: skip


def explain_recurrent(layer, rec, unit: tuple) -> RecurrentExplanation:
    """Explain unit ``(j, t)`` (or ``(j,)``: its final step) of a recurrent layer.

    ``rec`` is the layer's ``LayerRecord``; its ``input`` ``(1, F, T)`` is the sample the
    cell runs over. Raises ``ValueError`` for a unit or step that is not in the layer.
    """
    cell = layer_type(layer)
    x = np.asarray(rec.input[0], dtype=np.float64)
    where = unit_step(layer, unit, x.shape[1])
    p = cell_params(layer, where.direction)
    act = getattr(layer, "nonlinearity", "tanh")
    a_prev, c_prev, a, c, cache = run_direction(cell, x, p, bool(where.direction),
                                                where.step, act)  # fmt: skip
    j, t = where.local, where.step
    ex = RecurrentExplanation("recurrent", (where.unit, t), cell=cell, where=where)
    ex.prev = where.previous(x.shape[1])
    ex.h, ex.h_prev = float(a[j, 0]), float(a_prev[j, 0])
    hidden = p["W_aa"].shape[1]
    xt, ap = x[:, t], a_prev[:, 0]
    rows = [k * hidden + j for k in range(p["W_ax"].shape[0] // hidden)]
    parts = [(float(p["W_ax"][r] @ xt), float(p["W_aa"][r] @ ap), float(p["b_ih"][r, 0]),
              float(p["b_hh"][r, 0])) for r in rows]  # fmt: skip
    if cell == "rnn":
        _rnn(ex, layer, p, xt, ap, parts[0], act)
    else:
        values = cache[2:5] if cell == "gru" else cache[3:7]  # (r, z, n) / (i, f, g, o)
        for (name, title), part, v in zip(GATE_TITLES[cell], parts, values, strict=True):
            fn = "tanh" if name in ("n", "g") else "sigmoid"
            ex.gates.append(Gate(name, title, fn, *part, value=float(v[j, 0])))
        if cell == "gru":
            ex.gates[2].scale = ex.gates[0].value  # n = tanh(W_in x + b_in + r (W_hn a + b_hn))
        else:
            ex.c, ex.c_prev = float(c[j, 0]), float(c_prev[j, 0])
        cand = ex.gates[2]
        ex.activation, ex.z, ex.a = "tanh", cand.pre, cand.value
        ex.gate_lines, ex.lines = gate_lines(ex), state_lines(ex)
    return ex


def _rnn(ex: RecurrentExplanation, layer, p: dict, xt, ap, part, act: str) -> None:
    """The RNN's terms ``W_ax[j,i] x_i`` and ``W_aa[j,k] a_k``, largest first."""
    j, w = ex.where.local, ex.where
    names = [f"x<{w.step}>{_sub(i)}" for i in range(xt.size)]
    names += [f"a<{_prev_text(ex)}>{_sub(k)}" for k in range(ap.size)]
    values = np.concatenate([xt, ap])
    weights = np.concatenate([p["W_ax"][j], p["W_aa"][j]])
    prods = values * weights
    order = np.argsort(-np.abs(prods), kind="stable")
    ex.terms = [(names[i], float(values[i]), float(weights[i]), float(prods[i])) for i in order]
    ex.total, ex.bias = float(prods.sum()), part[2] + part[3]
    ex.z, ex.a, ex.activation = ex.total + ex.bias, ex.h, act
    ex.gates = [Gate("a", "new state", act, part[0], part[1], part[2], part[3], ex.h)]
    ex.lines = rnn_lines(ex)


def _prev_text(ex: RecurrentExplanation) -> str:
    w = ex.where
    return str(w.step + 1 if w.direction else w.step - 1) if ex.prev is None else str(ex.prev)


def _start_note(ex: RecurrentExplanation, names: str = "a") -> str:
    if ex.prev is not None:
        return ""
    tp = _prev_text(ex)
    states = " = ".join(f"{n}<{tp}>" for n in names)
    start = "the backward pass starts at the last step" if ex.where.direction else "the start"
    return f"{states} = 0 ({start}: nothing read yet)"


def rnn_lines(ex: RecurrentExplanation) -> list[str]:
    """The seeds' formula, then the same with this step's numbers (HTML-escaped lines)."""
    j, t, tp, g = ex.where.local, ex.where.step, _prev_text(ex), ex.gates[0]
    lines = [
        f"a<{t}>{_sub(j)} = {ex.activation}(\u03a3 W_ax[{j},i]\u00b7x<{t}>\u1d62 + "
        f"\u03a3 W_aa[{j},k]\u00b7a<{tp}>\u2096 + b_a[{j}])",
        f"= {ex.activation}({fmt(g.from_x)} + {fmt_paren(g.from_a)} + {fmt_paren(ex.bias)})"
        f" = {ex.activation}({fmt(ex.z)}) = {fmt(ex.h)}",
    ]
    note = _start_note(ex)
    return [html.escape(s) for s in lines + ([note] if note else [])]


def gate_lines(ex: RecurrentExplanation) -> list[tuple[str, str]]:
    """Per gate ``("r₃ = σ(W_ir·x<5> + …)", "= σ(0.1 + …) = 0.73")``, plain text."""
    t, tp, s = ex.where.step, _prev_text(ex), _sub(ex.where.local)
    lines = []
    for g in ex.gates:
        fn = SIGMA if g.fn == "sigmoid" else g.fn
        if g.scale != 1.0:  # the GRU's candidate: the reset gate scales the memory part
            sym = f"W_i{g.name}·x<{t}> + b_i{g.name} + r·(W_h{g.name}·a<{tp}> + b_h{g.name})"
            num = (
                f"{fmt(g.from_x)} + {fmt_paren(g.b_ih)} + {fmt(g.scale)}·({fmt(g.from_a + g.b_hh)})"
            )
        else:
            sym = f"W_i{g.name}·x<{t}> + W_h{g.name}·a<{tp}> + b_{g.name}"
            num = f"{fmt(g.from_x)} + {fmt_paren(g.from_a)} + {fmt_paren(g.b_ih + g.b_hh)}"
        lines.append((f"{g.name}{s} = {fn}({sym})", f"= {fn}({num}) = {fmt(g.value)}"))
    return lines


def state_lines(ex: RecurrentExplanation) -> list[str]:
    """How the gates make the new state (and cell), with the numbers (HTML-escaped)."""
    t, tp, s = ex.where.step, _prev_text(ex), _sub(ex.where.local)
    v, lines = {g.name: g.value for g in ex.gates}, []
    if ex.cell == "gru":
        lines.append(
            f"a<{t}>{s} = (1 − z)·n + z·a<{tp}> = {fmt(1 - v['z'])}·"
            f"{fmt_paren(v['n'])} + {fmt(v['z'])}·{fmt_paren(ex.h_prev)} = {fmt(ex.h)}"
        )
    else:
        lines.append(
            f"c<{t}>{s} = f·c<{tp}> + i·g = {fmt(v['f'])}·{fmt_paren(ex.c_prev)}"
            f" + {fmt(v['i'])}·{fmt_paren(v['g'])} = {fmt(ex.c)}"
        )
        lines.append(f"a<{t}>{s} = o·tanh(c<{t}>) = {fmt(v['o'])}·tanh({fmt(ex.c)}) = {fmt(ex.h)}")
    note = _start_note(ex, "a" if ex.cell == "gru" else "ac")
    return [html.escape(x) for x in lines + ([note] if note else [])]
