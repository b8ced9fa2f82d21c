"""The from-scratch NumPy engine: layers, losses, optimizers, models and training.

NumPy and the standard library only (no Qt, no audio): the CLI, the tests and the GUI's
worker thread all drive the same code. Names and formulas follow PyTorch.
"""

from .activations import (
    ACTIVATIONS,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    activation_fn,
)
from .conv import Conv1D, Conv2D
from .dense import Dense
from .dropout import Dropout
from .errors import DivergenceError, SpecError
from .init import INITIALIZERS, initialize
from .losses import LOSSES, BCELoss, CrossEntropyLoss, L1Loss, MSELoss
from .module import Module
from .optim import OPTIMIZERS, SGD, Adagrad, Adam, Param, RMSprop, clip_grad_norm
from .pooling import AvgPool2D, MaxPool2D
from .recurrent import GRU, LSTM, RNN
from .reshape import Flatten
from .sequential import LayerRecord, Sequential
from .settings import LAYERS, LayerKind, Setting
from .spec import LAYER_TYPES, LayerShape, layer_from_config, validate_spec
from .trainer import BatchReport, DivergedReport, EpochReport, TrainConfig, Trainer

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LAYERS",
    "LAYER_TYPES",
    "LOSSES",
    "OPTIMIZERS",
    "SGD",
    "Adagrad",
    "Adam",
    "AvgPool2D",
    "BCELoss",
    "BatchReport",
    "Conv1D",
    "Conv2D",
    "CrossEntropyLoss",
    "Dense",
    "DivergedReport",
    "DivergenceError",
    "Dropout",
    "EpochReport",
    "Flatten",
    "GRU",
    "Identity",
    "L1Loss",
    "LSTM",
    "LayerRecord",
    "LayerKind",
    "LayerShape",
    "LeakyReLU",
    "MSELoss",
    "MaxPool2D",
    "Module",
    "Param",
    "RMSprop",
    "RNN",
    "ReLU",
    "Sequential",
    "Setting",
    "Sigmoid",
    "Softmax",
    "SpecError",
    "Tanh",
    "TrainConfig",
    "Trainer",
    "activation_fn",
    "clip_grad_norm",
    "initialize",
    "layer_from_config",
    "validate_spec",
]
