"""What the editor knows about each layer type: a title, a teaching sentence, a fresh layer.

Titles, descriptions and settings come from the engine's one model of layer settings
(``visualnn.engine.settings.LAYERS``); this module adds what only the editor needs: what a
freshly added layer holds, how to draw it, and the human names of choices and data sets.
One registry (``LAYER_CATALOG``) feeds the palette, the context menus, the inspector form and
the fallback node labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from visualnn.engine.geometry import shape_text
from visualnn.engine.settings import LAYERS


@dataclass(frozen=True)
class LayerInfo:
    """Editor facts about one layer type.

    Attributes
    ----------
    title : str
        Name shown in the palette and menus.
    description : str
        One sentence a student can read from the back of the room.
    defaults : dict
        Spec dict of a freshly added layer (``type`` included).
    keys : tuple of str
        Settings the inspector offers, in display order.
    elementwise : bool
        True when the output has the input's shape and unit j only depends on input j
        (activations, dropout): drawn with one-to-one connections.
    """

    title: str
    description: str
    defaults: dict = field(default_factory=dict)
    keys: tuple[str, ...] = ()
    elementwise: bool = False


_CONV_START = {"out_channels": 8, "kernel_size": 3, "padding": "same", "activation": "relu"}
#: What a freshly added layer holds beyond the engine's defaults: values that teach well.
STARTERS: dict[str, dict] = {
    "dense": {"units": 8, "activation": "relu"},
    "conv2d": _CONV_START,
    "conv1d": _CONV_START,
    "maxpool2d": {"kernel_size": 2},
    "avgpool2d": {"kernel_size": 2},
    "rnn": {"hidden_size": 16},
    "gru": {"hidden_size": 16},
    "lstm": {"hidden_size": 16},
    "dropout": {"p": 0.25},
    "leaky_relu": {"negative_slope": 0.01},
}
ELEMENTWISE = frozenset({"dropout", "relu", "leaky_relu", "sigmoid", "tanh", "identity"})

LAYER_CATALOG: dict[str, LayerInfo] = {
    t: LayerInfo(
        kind.title,
        kind.description,
        {"type": t, **STARTERS.get(t, {})},
        kind.keys,
        t in ELEMENTWISE,
    )
    for t, kind in LAYERS.items()
}

#: Layer types with weights, and the ones that may follow the last of them in the output.
WEIGHTED = frozenset({"dense", "conv1d", "conv2d"})
OUTPUT_ACTIVATIONS = frozenset({"softmax", "sigmoid", "tanh", "identity", "relu", "leaky_relu"})

#: What a person reads for the engine's activation and initialiser names.
HUMAN_NAMES: dict[str, str] = {
    "linear": "None (linear)",
    "identity": "Identity",
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "softmax": "Softmax",
    "default": "Default (as PyTorch)",
    "uniform01": "Uniform 0 to 1",
    "xavier_uniform": "Xavier, uniform",
    "xavier_normal": "Xavier, normal",
    "kaiming_uniform": "Kaiming, uniform",
    "kaiming_normal": "Kaiming, normal",
    "zeros": "Zeros",
}

#: Data sets by registry name, as a class would call them (``Dataset.title`` when a data
#: set has its own, e.g. a folder of sounds).
DATASET_TITLES: dict[str, str] = {
    "circle": "Circle (2-D points)",
    "xor": "XOR (2-D points)",
    "gauss": "Two clouds (2-D points)",
    "spiral": "Spiral (2-D points)",
    "plane": "Plane (regression)",
    "sum": "Adding two numbers",
    "neuron": "One neuron's examples",
    "digits": "Handwritten digits (64 numbers)",
    "digits_images": "Handwritten digits (images)",
    "sounds": "Sounds",
}


def human_name(name) -> str:
    """``"leaky_relu"`` -> ``"Leaky ReLU"``; unknown names lose their underscores."""
    text = str(name)
    return HUMAN_NAMES.get(text, text.replace("_", " ").capitalize())


def dataset_title(name: str, dataset=None) -> str:
    """A data set's name for people: its own title, else the table's, else the key."""
    own = getattr(dataset, "title", "") or ""
    if own and own != name:
        return own
    return DATASET_TITLES.get(name, str(name).replace("_", " ").capitalize())


def layer_info(layer_type: str) -> LayerInfo:
    """Catalog entry for ``layer_type``; unknown types get a bare entry instead of failing."""
    return LAYER_CATALOG.get(layer_type, LayerInfo(layer_type, "", {"type": layer_type}))


def default_layer(layer_type: str) -> dict:
    """A fresh copy of the default spec dict of ``layer_type``."""
    return dict(layer_info(layer_type).defaults)


def output_start(layers: list[dict]) -> int:
    """Index of the first layer of the output: the last layer with weights (dense, conv)
    and the activations after it; ``len(layers)`` when nothing has weights."""
    weighted = [i for i, layer in enumerate(layers) if layer.get("type") in WEIGHTED]
    if not weighted:
        return len(layers)
    tail = layers[weighted[-1] + 1 :]
    only_activations = all(layer.get("type") in OUTPUT_ACTIVATIONS for layer in tail)
    return weighted[-1] if only_activations else len(layers)


def _pair_text(v) -> str:
    return shape_text(v) if isinstance(v, list | tuple) else f"{v}x{v}"


def fallback_label(layer: dict) -> str:
    """Short node title built from the spec alone (used when the engine cannot describe it).

    Mirrors ``Module.describe()`` ("Dense 16", "Conv2D 8@3x3", "MaxPool 2x2") so a node keeps
    its title while it is invalid.
    """
    t = layer.get("type", "?")
    title = layer_info(t).title
    if t == "dense":
        return f"{title} {layer.get('units', '?')}"
    if t in ("conv2d", "conv1d"):
        k = layer.get("kernel_size", "?")
        ks = str(k) if t == "conv1d" else _pair_text(k)
        return f"{title} {layer.get('out_channels', '?')}@{ks}"
    if t in ("maxpool2d", "avgpool2d"):
        return f"{title[:-2]} {_pair_text(layer.get('kernel_size', '?'))}"
    if t in ("rnn", "gru", "lstm"):
        both = " \u00d72" if layer.get("bidirectional") else ""
        relu = " ReLU" if t == "rnn" and layer.get("nonlinearity") == "relu" else ""
        return f"{title}{relu} {layer.get('hidden_size', '?')}{both}"
    if t == "dropout":
        return f"{title} {layer.get('p', 0.5):g}"
    return title
