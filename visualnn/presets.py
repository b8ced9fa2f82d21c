"""Ready-made projects for File > New from preset and ``visualnn train PRESET``.

Each preset is reproducible: a spec, a dataset with fixed parameters, a training config with
a seed, and (for the one-neuron example) explicit weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from visualnn.data import Dataset, load_dataset
from visualnn.data.sound.features import SoundFeatures
from visualnn.engine import Sequential, SpecError, TrainConfig
from visualnn.engine.augment import SOUND_DEFAULT


@dataclass
class Preset:
    """A named, reproducible starting point.

    ``weights`` (optional) is a list with one dict per layer of nested lists, applied after
    building; ``seed`` seeds the initial weights.
    """

    name: str
    title: str
    description: str
    spec: list[dict[str, Any]]
    input_shape: tuple[int, ...]
    dataset: str
    dataset_params: dict[str, Any]
    config: TrainConfig
    task: str = "classification"
    weights: list[dict[str, Any]] | None = None
    seed: int = 0

    def build_model(self) -> Sequential:
        """A fresh model with this preset's seed (and weights, when it sets them)."""
        model = Sequential.from_spec(self.spec, self.input_shape, seed=self.seed)
        if self.weights is not None:
            model.set_weights(
                [{k: np.asarray(v, np.float32) for k, v in w.items()} for w in self.weights]
            )
        model.loss = self.config.loss
        return model


def _dense(units: int, activation: str | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"type": "dense", "units": units}
    if activation:
        d["activation"] = activation
    return d


def _playground(name: str, title: str, text: str, hidden, act: str, **cfg) -> Preset:
    spec = [_dense(h, act) for h in hidden] + [_dense(2, "softmax")]
    return Preset(
        name=name,
        title=title,
        description=text,
        spec=spec,
        input_shape=(2,),
        dataset=name,
        dataset_params={"noise": 0.0, "train_ratio": 0.5, "seed": 0},
        config=TrainConfig(loss="cross_entropy", optimizer="adam", **cfg),
    )


_CONV = {"type": "conv2d", "kernel_size": 3, "padding": "same", "activation": "relu"}

#: Sound presets open on the built-in demo sounds; ``visualnn train PRESET --data DIR`` or the
#: Data dock gives them words. The output layer follows the number of classes. Each was
#: chosen on the spoken-words set of ``visualnn bench-words`` (ten words and background,
#: tested on speakers never heard in training; see the README for what each reaches).
_POOL = {"type": "maxpool2d"}
_CONV1D = {"type": "conv1d", "activation": "relu"}
_SGD = {"optimizer": "sgd", "lr": 0.02, "momentum": 0.9, "nesterov": True,
        "weight_decay": 0.001, "batch_size": 32}  # fmt: skip


def _conv_block(out: int, pool, dropout: float = 0.0) -> list[dict[str, Any]]:
    """A 3x3 'same' ReLU convolution with ``out`` maps, max pooling by ``pool``, and dropout
    when asked."""
    block = [{**_CONV, "out_channels": out}, {**_POOL, "kernel_size": pool}]
    return block + ([{"type": "dropout", "p": dropout}] if dropout else [])


def _flat_output(dropout: float) -> list[dict[str, Any]]:
    """Flatten, dropout, and the output layer (sized to the classes by ``fit_to_classes``)."""
    return [{"type": "flatten"}, {"type": "dropout", "p": dropout}, _dense(4)]


#: Conv2D over the log-mel image (1, 40, 101). Four convolutions, each pooled, the last pool
#: over the whole map (5 x 8 cells of 8 bands x 120 ms): the dense layer hears *what* was
#: said, not exactly *when* or how high, which is what carries over to a new voice. Dropout
#: and weight decay, because 130 speakers are easily learned by heart.
SOUNDS_CNN = [
    *_conv_block(16, [2, 3]),
    *_conv_block(32, 2, dropout=0.1),
    *_conv_block(64, 2, dropout=0.1),
    *_conv_block(96, [5, 8]),
    *_flat_output(dropout=0.3),
]
#: Conv1D over time with the 40 mel bands as channels, input (40, 101); strides shrink time
#: 101 -> 48 -> 22 -> 22 -> 9 steps. A higher voice is a different input here, not a
#: shifted one, so it trails the 2-D CNN on new speakers.
SOUNDS_CONV1D = [
    {**_CONV1D, "out_channels": 128, "kernel_size": 7, "stride": 2},
    {**_CONV1D, "out_channels": 128, "kernel_size": 5, "stride": 2},
    {**_CONV1D, "out_channels": 128, "kernel_size": 5, "padding": "same"},
    {**_CONV1D, "out_channels": 128, "kernel_size": 5, "stride": 2},
    *_flat_output(dropout=0.5),
]
#: The seeds' speech pipeline: Conv1D over the log-mel frames, then a bidirectional GRU over
#: the 23 steps left (one reads forwards, one backwards), then the words from both final
#: states.
SOUNDS_CRNN1D = [
    {**_CONV1D, "out_channels": 96, "kernel_size": 5, "stride": 2},
    {**_CONV1D, "out_channels": 96, "kernel_size": 3, "stride": 2},
    {"type": "gru", "hidden_size": 96, "bidirectional": True},
    {"type": "dropout", "p": 0.3},
    _dense(4),
]
#: Two pooled 3x3 Conv2D blocks over the log-mel image (a higher voice is the same shape a
#: few bands up, as for the CNN), then Flatten from axis 1 to 2: the 32 maps x 10 bands of
#: each of the 25 time steps become one vector, and a bidirectional GRU reads them in time.
SOUNDS_CRNN = [
    *_conv_block(16, 2),
    *_conv_block(32, 2),
    {"type": "flatten", "start_dim": 1, "end_dim": 2},
    {"type": "gru", "hidden_size": 96, "bidirectional": True},
    {"type": "dropout", "p": 0.3},
    _dense(4),
]


def _sound_preset(name: str, title: str, text: str, spec, layout: str, level: bool = True,
                  **cfg) -> Preset:  # fmt: skip
    # ``level``: every clip at one loudness, so a word is the same word near the microphone
    # or far from it (held-out speakers of bench-words: +1.5 to 5 points). Live, the label
    # then lingers on a sound's fading end, read as loud as the sound (bench-live: the quiet
    # between demo sounds read as background 70 % of the time instead of over 90 %), so the
    # CNN, the model of the live demos, keeps the levels as recorded and learns loudness
    # from its augmentation instead (``gain_db``: each clip up to 6 dB louder or quieter).
    params = {"source": "demo", "representation": "logmel", "layout": layout,
              "normalise_level": level}  # fmt: skip
    shape = SoundFeatures(layout=layout).input_shape
    # Gradients clipped to norm 5: a few hundred clips, SGD with momentum, and one bad batch
    # late in a run can throw away what was learned (seen on the demo sounds). The cosine
    # schedule takes big steps first and settles at the end (bench-words: +2 to 3 points).
    cfg = {"optimizer": "adam", "augment": dict(SOUND_DEFAULT), "clip_norm": 5.0,
           "lr_schedule": "cosine", **cfg}  # fmt: skip
    config = TrainConfig(loss="cross_entropy", **cfg)
    return Preset(name, title, text, spec, shape, "sounds", params, config)


def fit_to_classes(spec: list[dict[str, Any]], n_classes: int) -> list[dict[str, Any]]:
    """``spec`` with its last dense layer sized to ``n_classes`` outputs (a copy).

    A sound preset trained on a folder of ten words needs eleven outputs, not the demo's four.
    """
    spec = [dict(layer) for layer in spec]
    for layer in reversed(spec):
        if layer.get("type") == "dense":
            layer["units"] = int(n_classes)
            break
    return spec


PRESETS: dict[str, Preset] = {
    "neuron": Preset(
        name="neuron",
        title="One neuron",
        description=(
            "A single sigmoid neuron with three inputs. With inputs 0.5, 0.3, 0.2 and weights "
            "0.4, 0.7, 0.2 it computes 0.2 + 0.21 + 0.04 = 0.45 and sigmoid(0.45) = 0.61. "
            "Train it to say whether the average of its inputs is above one half."
        ),
        spec=[_dense(1, "sigmoid")],
        input_shape=(3,),
        dataset="neuron",
        dataset_params={"n": 64, "seed": 0},
        config=TrainConfig(loss="bce", optimizer="sgd", lr=0.5, batch_size=1, epochs=30),
        weights=[{"weight": [[0.4, 0.7, 0.2]], "bias": [0.0]}],
    ),
    "sum": Preset(
        name="sum",
        title="Adding two numbers",
        description=(
            "The classic first network: 2 inputs, 5 sigmoid units, 1 sigmoid output, trained "
            "with plain SGD (learning rate 0.1) on pairs of numbers below 0.5 and their sum. "
            "After 50 epochs, ask it 0.3 + 0.1. It updates after every sample (batch size 1): "
            "with bigger batches it makes fewer steps per epoch, so it needs more epochs or a "
            "higher learning rate."
        ),
        spec=[_dense(5, "sigmoid"), _dense(1, "sigmoid")],
        input_shape=(2,),
        dataset="sum",
        dataset_params={"n": 500, "seed": 0},
        config=TrainConfig(loss="mse", optimizer="sgd", lr=0.1, batch_size=1, epochs=50),
        task="regression",
    ),
    "xor": _playground(
        "xor",
        "XOR (Playground)",
        "Two classes in opposite quadrants: no straight line separates them, one hidden "
        "layer of tanh units does.",
        (8,),
        "tanh",
        lr=0.03,
        batch_size=16,
        epochs=100,
    ),
    "circle": _playground(
        "circle",
        "Circle (Playground)",
        "A disc inside a ring: the network must learn a closed boundary.",
        (8, 8),
        "tanh",
        lr=0.03,
        batch_size=16,
        epochs=100,
    ),
    "spiral": _playground(
        "spiral",
        "Spiral (Playground)",
        "Two interleaved spirals, the hardest Playground set: it takes two wide ReLU layers "
        "and a few hundred epochs.",
        (32, 32),
        "relu",
        lr=0.01,
        batch_size=16,
        epochs=300,
    ),
    "digits-mlp": Preset(
        name="digits-mlp",
        title="Handwritten digits, MLP",
        description=(
            "8x8 handwritten digits (UCI) as 64 numbers: two ReLU layers (256 and 128 units) "
            "with dropout, softmax over the 10 digits, Adam. About 97% on the held-out digits."
        ),
        spec=[
            _dense(256, "relu"),
            {"type": "dropout", "p": 0.3},
            _dense(128, "relu"),
            {"type": "dropout", "p": 0.3},
            _dense(10, "softmax"),
        ],
        input_shape=(64,),
        dataset="digits",
        dataset_params={},
        config=TrainConfig(
            loss="cross_entropy", optimizer="adam", lr=0.001, batch_size=32, epochs=60
        ),
    ),
    "digits-cnn": Preset(
        name="digits-cnn",
        title="Handwritten digits, CNN",
        description=(
            "The same digits as 1x8x8 images: two 3x3 convolutions with max pooling, then a "
            "softmax over the 10 digits. Watch the feature maps. About 98% held out."
        ),
        spec=[
            {**_CONV, "out_channels": 16},
            {"type": "maxpool2d", "kernel_size": 2},
            {**_CONV, "out_channels": 32},
            {"type": "maxpool2d", "kernel_size": 2},
            {"type": "flatten"},
            _dense(10, "softmax"),
        ],
        input_shape=(1, 8, 8),
        dataset="digits_images",
        dataset_params={},
        config=TrainConfig(
            loss="cross_entropy", optimizer="adam", lr=0.003, batch_size=32, epochs=30
        ),
    ),
    "sounds-cnn": _sound_preset(
        "sounds-cnn",
        "Sounds, CNN on the log-mel image",
        "Each second of sound as a picture: 40 mel bands (low pitch at the bottom) by 101 "
        "frames of 10 ms. Four 3x3 convolutions with pooling find the shapes of whistles, "
        "hums and claps, or of spoken words. Press L to feed it the microphone.",
        SOUNDS_CNN,
        "image",
        level=False,
        **{**_SGD, "lr": 0.04},
        epochs=30,
    ),
    "sounds-conv1d": _sound_preset(
        "sounds-conv1d",
        "Sounds, 1-D convolution over time",
        "The 40 mel bands are 40 input channels and the convolution slides along time only, "
        "as in the seeds' speech pipeline: each first-layer filter looks at 7 frames "
        "(70 ms) of every band at once.",
        SOUNDS_CONV1D,
        "sequence",
        **{**_SGD, "lr": 0.03},
        epochs=40,
    ),
    "sounds-crnn": _sound_preset(
        "sounds-crnn",
        "Sounds, convolution then a GRU (CRNN)",
        "Spectrogram, convolution, recurrent layer, dense: two 3x3 convolutions find the "
        "shapes of sounds in the log-mel image, Flatten 1-2 turns their maps into one vector "
        "per time step, a GRU reads those in time order (and one reads them backwards) and "
        "remembers what it heard, and a dense layer names the word from its final memory. "
        "Watch the memory fill up in the Recurrent view while a word is spoken.",
        SOUNDS_CRNN,
        "image",
        lr=0.002,
        batch_size=32,
        epochs=50,
    ),
    "sounds-crnn1d": _sound_preset(
        "sounds-crnn1d",
        "Sounds, Conv1D then a GRU (the seeds' pipeline)",
        "The seeds' speech pipeline: 1-D convolutions over the frames (the 40 mel bands as "
        "channels) find short sound shapes, a GRU reads them in time order (and one reads "
        "them backwards), and a dense layer names the word from its final memory.",
        SOUNDS_CRNN1D,
        "sequence",
        lr=0.002,
        batch_size=32,
        epochs=60,
    ),
    "parity-rnn": Preset(
        name="parity-rnn",
        title="Parity of a bit stream, GRU",
        description=(
            "Six bits arrive one after another; is the number of ones odd or even? No single "
            "bit tells, and every 1 flips the answer, so the network must remember 'odd so "
            "far' in its hidden state: a GRU with 16 units, then two output classes. For a "
            "while the loss sits at 0.69, pure guessing; then, within an epoch or two, it "
            "finds the flip and the accuracy jumps to 100%. Watch a hidden unit switch sign "
            "at every 1."
        ),
        spec=[{"type": "gru", "hidden_size": 16}, _dense(2)],
        input_shape=(1, 6),
        dataset="parity",
        dataset_params={"n": 2000, "length": 6, "seed": 0},
        config=TrainConfig(
            loss="cross_entropy", optimizer="adam", lr=0.01, batch_size=16, epochs=25
        ),
    ),
}


def get_preset(name: str) -> Preset:
    """The preset called ``name``; ``SpecError`` listing the known ones otherwise."""
    if name not in PRESETS:
        raise SpecError(f"unknown preset '{name}'; known presets: {', '.join(PRESETS)}")
    return PRESETS[name]


def build_preset(name: str) -> tuple[Sequential, Dataset, TrainConfig]:
    """Model, dataset and a fresh copy of the training config of preset ``name``."""
    preset = get_preset(name)
    dataset = load_dataset(preset.dataset, **preset.dataset_params)
    config = TrainConfig.from_dict(preset.config.to_dict())
    return preset.build_model(), dataset, config


__all__ = ["PRESETS", "Preset", "build_preset", "fit_to_classes", "get_preset"]
