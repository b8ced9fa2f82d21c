"""What the editor knows about each layer type: a title, a teaching sentence, defaults, settings.

One registry (``LAYER_CATALOG``) feeds the palette, the context menus, the inspector form and
the fallback node labels, so adding a layer type to the editor is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Activation shorthand names offered for dense and conv layers ("linear" = none).
ACTIVATION_CHOICES = ["linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax"]
#: Initialiser names of ``visualnn.engine.init``.
INIT_CHOICES = [
    "default",
    "uniform01",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "zeros",
]

_CONV_KEYS = ("out_channels", "kernel_size", "stride", "padding", "dilation", "activation", "init")
_POOL_KEYS = ("kernel_size", "stride", "padding")
_RECURRENT_KEYS = ("hidden_size", "bidirectional", "return_sequences", "init")


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


LAYER_CATALOG: dict[str, LayerInfo] = {
    "dense": LayerInfo(
        "Dense",
        "Every output neuron sums all inputs times its weights, plus a bias.",
        {"type": "dense", "units": 8, "activation": "relu"},
        ("units", "activation", "init"),
    ),
    "conv2d": LayerInfo(
        "Conv2D",
        "Slides small learned filters over an image; each filter makes one feature map.",
        {
            "type": "conv2d",
            "out_channels": 8,
            "kernel_size": 3,
            "padding": "same",
            "activation": "relu",
        },
        _CONV_KEYS,
    ),
    "conv1d": LayerInfo(
        "Conv1D",
        "Slides small learned filters along a signal (sound, sequences).",
        {
            "type": "conv1d",
            "out_channels": 8,
            "kernel_size": 3,
            "padding": "same",
            "activation": "relu",
        },
        _CONV_KEYS,
    ),
    "maxpool2d": LayerInfo(
        "MaxPool2D",
        "Keeps the largest value of each small window: smaller maps, same channels.",
        {"type": "maxpool2d", "kernel_size": 2},
        _POOL_KEYS,
    ),
    "avgpool2d": LayerInfo(
        "AvgPool2D",
        "Averages each small window: a smoother way to shrink feature maps.",
        {"type": "avgpool2d", "kernel_size": 2},
        _POOL_KEYS,
    ),
    "flatten": LayerInfo(
        "Flatten",
        "Lays feature maps out as one long vector, for dense layers.",
        {"type": "flatten"},
    ),
    "rnn": LayerInfo(
        "RNN",
        "Reads a sequence step by step, mixing each new input into a memory it carries along.",
        {"type": "rnn", "hidden_size": 16},
        ("hidden_size", "nonlinearity", *_RECURRENT_KEYS[1:]),
    ),
    "gru": LayerInfo(
        "GRU",
        "Like RNN, with gates that learn what to keep in memory and what to overwrite.",
        {"type": "gru", "hidden_size": 16},
        _RECURRENT_KEYS,
    ),
    "lstm": LayerInfo(
        "LSTM",
        "Like GRU, with a separate long-term cell it learns to forget, write and read.",
        {"type": "lstm", "hidden_size": 16},
        _RECURRENT_KEYS,
    ),
    "dropout": LayerInfo(
        "Dropout",
        "While training, switches off a random fraction p of the units.",
        {"type": "dropout", "p": 0.25},
        ("p",),
        elementwise=True,
    ),
    "relu": LayerInfo(
        "ReLU", "Keeps positives, zeroes negatives: max(0, x).", {"type": "relu"}, elementwise=True
    ),
    "leaky_relu": LayerInfo(
        "LeakyReLU",
        "Like ReLU, but negatives leak through times a slope.",
        {"type": "leaky_relu", "negative_slope": 0.01},
        ("negative_slope",),
        elementwise=True,
    ),
    "sigmoid": LayerInfo(
        "Sigmoid", "Squashes any number into 0..1.", {"type": "sigmoid"}, elementwise=True
    ),
    "tanh": LayerInfo(
        "Tanh", "Squashes any number into -1..1.", {"type": "tanh"}, elementwise=True
    ),
    "softmax": LayerInfo(
        "Softmax", "Turns scores into probabilities that sum to 1.", {"type": "softmax"}
    ),
    "identity": LayerInfo(
        "Identity", "Passes values through unchanged.", {"type": "identity"}, elementwise=True
    ),
}

#: The values a number setting may take, (lowest, highest): the inspector's fields offer
#: exactly these and the document refuses anything else, saying so.
SETTING_RANGES: dict[str, tuple[float, float]] = {
    "units": (1, 4096),
    "out_channels": (1, 512),
    "kernel_size": (1, 15),
    "stride": (1, 8),
    "dilation": (1, 8),
    "p": (0.0, 0.95),
    "negative_slope": (0.0, 1.0),
    "hidden_size": (1, 1024),
}

#: Layer types with weights, and the ones that may follow the last of them in the output.
WEIGHTED = frozenset({"dense", "conv1d", "conv2d"})
OUTPUT_ACTIVATIONS = frozenset({"softmax", "sigmoid", "tanh", "identity", "relu", "leaky_relu"})

#: Human names of the settings, for the inspector and the undo text.
OPTION_LABELS: dict[str, str] = {
    "units": "units",
    "out_channels": "filters",
    "kernel_size": "kernel size",
    "stride": "stride",
    "padding": "padding",
    "dilation": "dilation",
    "activation": "activation",
    "init": "initialiser",
    "p": "dropout rate",
    "negative_slope": "slope",
    "hidden_size": "hidden units",
    "nonlinearity": "activation",
    "bidirectional": "both directions",
    "return_sequences": "output",
}


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
    if isinstance(v, list | tuple):
        return "x".join(str(int(a)) for a in v)
    return f"{v}x{v}"


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
