"""Recurrent layers with torch's parameters and formulas: ``RNN``, ``GRU``, ``LSTM``.

Input per sample is features x time, ``(F, T)``; see ``run.RecurrentLayer`` for how the
time loop is organised and ``engine/reference/recurrent`` for the same maths as plain loops.
"""

from .gru import GRU
from .lstm import LSTM
from .rnn import RNN
from .run import RecurrentLayer

__all__ = ["GRU", "LSTM", "RNN", "RecurrentLayer"]
