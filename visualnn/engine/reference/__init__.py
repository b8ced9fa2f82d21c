"""The engine's maths as plain loops, to read beside the fast layers (and test them).

Each module stands alone (NumPy only) and reads like the classic from-scratch exercises:
``conv_forward`` with ``conv_single_step``, ``pool_forward`` with
``create_mask_from_window``, ``rnn_cell_forward``'s ``a<t> = g(W_aa a<t-1> + W_ax x<t> +
b_a)``. Names, shapes and formulas are torch's, like the engine's, and the engine's tests
check every fast layer, loss and optimizer against these. ``docs/FAST_PATH.md`` explains how
and why the fast versions differ.

Modules: ``dense`` (dense, flatten, dropout), ``conv``, ``pooling``, ``activations``,
``losses``, ``optim``, ``recurrent_cells`` (one time step) and ``recurrent`` (whole layers).
"""

from . import activations, conv, dense, losses, optim, pooling, recurrent, recurrent_cells

__all__ = [
    "activations",
    "conv",
    "dense",
    "losses",
    "optim",
    "pooling",
    "recurrent",
    "recurrent_cells",
]
