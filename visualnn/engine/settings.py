"""Every layer type and its settings in one table: names, kinds, ranges, defaults, help.

``LAYERS`` drives everything that knows about layer settings: the engine's checks (spec
validation and the layers' own constructors), the editor's checks and its inspector fields,
the Add layer palette, and every message about a bad value, which always reads
``"<where>: <setting> must be <what it takes>, got <value>"``, e.g. ``"layer 2, Conv2D
3x3: kernel size must be a whole number from 1 to 1024 or a pair of them, got 0"``.

Two ranges where the editor is narrower than the engine: ``Setting.limits`` is what a
spec may hold (a file, the command line); ``Setting.editor`` is what the inspector offers a
student (a 15x15 kernel is already more than the views can show).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from .errors import SpecError
from .init import INITIALIZERS

# --- kinds of value ---------------------------------------------------------------------
WHOLE = "whole number"
PAIR = "whole number or pair"  # one per spatial axis: Conv1D has one, images two
CHOICE = "choice"
BOOLEAN = "boolean"
PROBABILITY = "probability"
REAL = "real"

#: Largest units / out_channels: far beyond what the views can show or a laptop can train.
MAX_WIDTH = 65_536
#: Largest kernel_size, stride, dilation and padding (per axis).
MAX_WINDOW = 1024
#: Recurrent units: far beyond what the views show or 2 cores can train.
MAX_HIDDEN = 4096
#: Activation names of the ``activation=`` shorthand (``activations.ACTIVATIONS``' keys).
ACTIVATION_NAMES = ("relu", "leaky_relu", "sigmoid", "tanh", "softmax", "linear", "identity")


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of a setting a layer cannot do without (``units``, ``kernel_size``).
REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Limits:
    """What values a setting takes: numbers from ``low`` to ``high`` (``high_open``: up to,
    not including), and ``words`` (the names of a choice, or words allowed besides a number,
    as ``"same"`` for padding)."""

    low: float = -math.inf
    high: float = math.inf
    words: tuple[str, ...] = ()
    high_open: bool = False


@dataclass(frozen=True)
class Setting:
    """One setting of a layer type.

    Attributes
    ----------
    key : str
        The spec key (``"kernel_size"``), the constructor's keyword.
    label : str
        What a person reads (``"kernel size"``, ``"filters"``).
    kind : str
        ``WHOLE``, ``PAIR``, ``CHOICE``, ``BOOLEAN``, ``PROBABILITY`` or ``REAL``.
    limits : Limits
        What the engine accepts.
    editor : Limits or None
        The narrower part the inspector offers; None when it offers all of ``limits``.
    default : object
        What leaving the key out means, or ``REQUIRED``.
    help : str
        One line for a tooltip.
    axes : int
        For ``PAIR``: 2 (an int or ``[h, w]``) or 1 (an int or ``[n]``, Conv1D).
    none_ok : bool
        True when a spec may say None (no activation, a pool's stride = its kernel).
    """

    key: str
    label: str
    kind: str
    limits: Limits
    editor: Limits | None = None
    default: Any = REQUIRED
    help: str = ""
    axes: int = 2
    none_ok: bool = False

    @property
    def named(self) -> str:
        """The label, with the spec key when it reads differently: ``"filters
        (out_channels)"``, but ``"kernel size"``."""
        same = self.label.replace(" ", "_") == self.key
        return self.label if same else f"{self.label} ({self.key})"

    @property
    def offered(self) -> Limits:
        """What the inspector offers (``editor``, else ``limits``)."""
        return self.editor or self.limits

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def wanted(self, editor: bool = False) -> str:
        """What a valid value looks like, e.g. ``"a whole number from 1 to 15"``."""
        lim = self.offered if editor else self.limits
        if self.kind == BOOLEAN:
            return "true or false"
        if self.kind == CHOICE:
            names = list(lim.words)
            return " or ".join(names) if len(names) == 2 else "one of: " + ", ".join(names)
        if self.kind in (PROBABILITY, REAL):
            if not math.isfinite(lim.low) and not math.isfinite(lim.high):
                return "a finite number"
            upto = "up to (not including)" if lim.high_open else "to"
            return f"a number from {lim.low:g} {upto} {lim.high:g}"
        if math.isfinite(lim.high):
            parts = [f"a whole number from {lim.low:g} to {lim.high:g}"]
        else:
            parts = [f"a whole number of at least {lim.low:g}"]
        if self.kind == PAIR and self.axes == 2:
            parts.append("a pair of them")
        parts += [f'"{w}"' for w in lim.words]
        return ", ".join(parts[:-1]) + " or " + parts[-1] if len(parts) > 1 else parts[0]

    # --- the engine: exact JSON types -------------------------------------------------------
    def accepts(self, value: Any) -> bool:
        """Whether a spec may hold ``value`` (exact types: 2.0 is not a whole number)."""
        if value is None:
            return self.none_ok
        return _fits(self, self.limits, value, strict=True) is not None

    def check(self, value: Any, where: str) -> Any:
        """``value`` if a spec may hold it, else a ``SpecError`` naming ``where`` and the key."""
        if not self.accepts(value):
            raise SpecError(self.refusal(value, where), key=self.key)
        return value

    def refusal(self, value: Any, where: str, editor: bool = False) -> str:
        """``"layer 2, Dense 8: units must be a whole number from 1 to 4096, got 0"``."""
        return f"{where}: {self.named} must be {self.wanted(editor)}, got {value!r}"

    # --- the editor: what a person typed ------------------------------------------------------
    def clean(self, value: Any) -> Any:
        """The JSON value for what an editor sent (``"12"``, ``12.0`` and ``" Same "`` are
        read as ``12`` and ``"same"``), within the editor's range; None when it is refused."""
        return _fits(self, self.offered, value, strict=False)


def whole_number(value: Any, low: float, high: float = math.inf, strict: bool = True):
    """``value`` as an int from ``low`` to ``high``, else None. ``strict``: only ints (never
    bools); otherwise also a whole float or a string such as ``"12"``."""
    if isinstance(value, bool | type(None)):
        return None
    if not strict and isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, numbers.Integral):
        v = int(value)
    elif not strict and isinstance(value, numbers.Real) and math.isfinite(value):
        if not float(value).is_integer():
            return None
        v = int(value)
    else:
        return None
    return v if low <= v <= high else None


def _number(value: Any, lim: Limits, strict: bool):
    if isinstance(value, bool) or (strict and not isinstance(value, numbers.Real)):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    too_high = v > lim.high or (lim.high_open and v == lim.high)
    if not math.isfinite(v) or v < lim.low or too_high:
        return None
    return value if strict else v


def _fits(s: Setting, lim: Limits, value: Any, strict: bool):
    """The value (cleaned unless ``strict``) if it is one ``s`` takes within ``lim``, else None."""
    if s.kind == BOOLEAN:
        return bool(value) if isinstance(value, bool) or (strict and _is_np_bool(value)) else None
    if s.kind == CHOICE:
        return value if isinstance(value, str) and value in lim.words else None
    if s.kind in (PROBABILITY, REAL):
        return _number(value, lim, strict)
    if isinstance(value, str) and lim.words:
        word = value if strict else value.strip().lower()
        return word if word in lim.words else None
    if s.kind == PAIR and isinstance(value, list | tuple):
        if len(value) != s.axes:
            return None
        items = [whole_number(v, lim.low, lim.high, strict) for v in value]
        return None if None in items else (value if strict else items)
    number = whole_number(value, lim.low, lim.high, strict)
    return None if number is None else (value if strict else number)


def _is_np_bool(value: Any) -> bool:
    return type(value).__name__ == "bool_"  # numpy's, without importing numpy here


# --- the settings -----------------------------------------------------------------------
def _whole(key, label, low, high, editor=None, help="", **kw) -> Setting:
    ed = Limits(*editor) if editor else None
    return Setting(key, label, WHOLE, Limits(low, high), ed, help=help, **kw)


def _window(key, label, low, editor_high, help, axes=2, **kw) -> Setting:
    ed = Limits(low, editor_high)
    return Setting(key, label, PAIR, Limits(low, MAX_WINDOW), ed, help=help, axes=axes, **kw)


UNITS = _whole("units", "units", 1, MAX_WIDTH, (1, 4096),
               "How many neurons the layer has: one output number each.")  # fmt: skip
FILTERS = _whole("out_channels", "filters", 1, MAX_WIDTH, (1, 512),
                 "How many filters slide over the input: one feature map each.")  # fmt: skip
HIDDEN = _whole("hidden_size", "hidden units", 1, MAX_HIDDEN, (1, 1024),
                "How many numbers the layer remembers from one step to the next")  # fmt: skip
ACTIVATION = Setting(
    "activation", "activation", CHOICE, Limits(words=ACTIVATION_NAMES),
    Limits(words=("linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax")),
    default=None, none_ok=True, help="The function applied to each output (none: linear).",
)  # fmt: skip
INIT = Setting("init", "initialiser", CHOICE, Limits(words=tuple(INITIALIZERS)),
               default="default", help="How the weights start before training.")  # fmt: skip


def _conv(axes: int) -> tuple[Setting, ...]:
    return (
        FILTERS,
        _window("kernel_size", "kernel size", 1, 15, "The size of the window a filter looks at.",
                axes),
        _window("stride", "stride", 1, 8, "How far the window moves between two outputs.", axes,
                default=1),
        Setting("padding", "padding", PAIR, Limits(0, MAX_WINDOW, ("valid", "same")), default=0,
                axes=axes,
                help='Zeros around the input: "same" keeps the size, "valid" adds none.'),
        _window("dilation", "dilation", 1, 8,
                "Spacing between the kernel's taps: 2 reads every other input cell.", axes,
                default=1),
        ACTIVATION,
        INIT,
    )  # fmt: skip


_POOL = (
    _window("kernel_size", "kernel size", 1, 15, "The size of the window a pool looks at."),
    _window("stride", "stride", 1, 8, "How far the window moves (empty: by its own width).",
            default=None, none_ok=True),
    Setting("padding", "padding", PAIR, Limits(0, MAX_WINDOW), default=0,
            help="Cells added around the input: never the maximum, zeros in the average."),
)  # fmt: skip
_RECURRENT = (
    HIDDEN,
    Setting("bidirectional", "both directions", BOOLEAN, Limits(), default=False,
            help="A second set of units reads from the last step to the first; the outputs of "
            "both directions are put side by side (twice the units)"),
    Setting("return_sequences", "output", BOOLEAN, Limits(), default=False,
            help="Last step only: the memory after the whole sequence (for a Dense layer). "
            "Every time step: units × time (for Flatten, Conv1D or another recurrent layer)"),
    INIT,
)  # fmt: skip
_NONLINEARITY = Setting("nonlinearity", "activation", CHOICE, Limits(words=("tanh", "relu")),
                        default="tanh", help="The function of the memory update.")  # fmt: skip


_FLATTEN = (
    _whole("start_dim", "from axis", 1, 8, default=1,
           help="The first axis merged: 1 is a sample's first axis (0, the batch, never is)"),
    _whole("end_dim", "to axis", -8, 8, default=-1,
           help="The last axis merged, -1 the last. From 1 to 2 turns a Conv2D's channels x "
           "bands x time into (channels x bands) x time: a sequence for a recurrent layer"),
)  # fmt: skip


def _derived(key: str, what: str) -> Setting:
    return _whole(key, key.replace("_", " "), 1, math.inf, default=None, none_ok=True,
                  help=f"{what} (taken from the previous layer)")  # fmt: skip


@dataclass(frozen=True)
class LayerKind:
    """A layer type as a person meets it: ``title`` ("Conv2D"), a one-sentence
    ``description``, its ``settings`` in display order, and the ``derived`` keys a spec may
    carry but the previous layer decides (``in_features``)."""

    type: str
    title: str
    description: str
    settings: tuple[Setting, ...] = ()
    derived: tuple[Setting, ...] = ()

    def setting(self, key: str) -> Setting | None:
        return next((s for s in self.settings + self.derived if s.key == key), None)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.settings)


def _kind(type_, title, description, settings=(), derived=()) -> tuple[str, LayerKind]:
    return type_, LayerKind(type_, title, description, tuple(settings), tuple(derived))


_IN_FEATURES = _derived("in_features", "Input features")
_IN_CHANNELS = _derived("in_channels", "Input channels")
_INPUT_SIZE = _derived("input_size", "Input features per step")

#: Every layer type by spec name, in the order the palette lists them.
LAYERS: dict[str, LayerKind] = dict([
    _kind("dense", "Dense", "Every output neuron sums all inputs times its weights, plus a bias.",
          (UNITS, ACTIVATION, INIT), (_IN_FEATURES,)),
    _kind("conv2d", "Conv2D",
          "Slides small learned filters over an image; each filter makes one feature map.",
          _conv(2), (_IN_CHANNELS,)),
    _kind("conv1d", "Conv1D", "Slides small learned filters along a signal (sound, sequences).",
          _conv(1), (_IN_CHANNELS,)),
    _kind("maxpool2d", "MaxPool2D",
          "Keeps the largest value of each small window: smaller maps, same channels.", _POOL),
    _kind("avgpool2d", "AvgPool2D",
          "Averages each small window: a smoother way to shrink feature maps.", _POOL),
    _kind("flatten", "Flatten",
          "Lays feature maps out as one long vector for dense layers, or merges some axes.",
          _FLATTEN),
    _kind("rnn", "RNN",
          "Reads a sequence step by step, mixing each new input into a memory it carries along.",
          (HIDDEN, _NONLINEARITY, *_RECURRENT[1:]), (_INPUT_SIZE,)),
    _kind("gru", "GRU",
          "Like RNN, with gates that learn what to keep in memory and what to overwrite.",
          _RECURRENT, (_INPUT_SIZE,)),
    _kind("lstm", "LSTM",
          "Like GRU, with a separate long-term cell it learns to forget, write and read.",
          _RECURRENT, (_INPUT_SIZE,)),
    _kind("dropout", "Dropout", "While training, switches off a random fraction p of the units.",
          (Setting("p", "dropout rate", PROBABILITY, Limits(0.0, 1.0, high_open=True),
                   Limits(0.0, 0.95), default=0.5,
                   help="The fraction of units switched off at random while training."),)),
    _kind("relu", "ReLU", "Keeps positives, zeroes negatives: max(0, x)."),
    _kind("leaky_relu", "LeakyReLU", "Like ReLU, but negatives leak through times a slope.",
          (Setting("negative_slope", "slope", REAL, Limits(), Limits(0.0, 1.0), default=0.01,
                   help="What negative inputs are multiplied by."),)),
    _kind("sigmoid", "Sigmoid", "Squashes any number into 0..1."),
    _kind("tanh", "Tanh", "Squashes any number into -1..1."),
    _kind("softmax", "Softmax", "Turns scores into probabilities that sum to 1."),
    _kind("identity", "Identity", "Passes values through unchanged."),
])  # fmt: skip


def setting(layer_type: str, key: str) -> Setting | None:
    """The setting ``key`` of ``layer_type`` (derived keys included), or None."""
    kind = LAYERS.get(layer_type)
    return kind.setting(key) if kind is not None else None


def check(layer_type: str, key: str, value: Any, where: str) -> Any:
    """``value`` if ``layer_type`` takes it for ``key``, else a ``SpecError`` saying what
    it takes. The layers' constructors call this with ``where`` = their own name."""
    found = setting(layer_type, key)
    if found is None:
        raise SpecError(f"{where}: unknown setting '{key}'", key=key)
    return found.check(value, where)
