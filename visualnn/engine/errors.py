"""The one error type the engine raises for anything a user can get wrong.

A ``SpecError`` message is a plain sentence meant to be shown as is in the UI or the CLI,
naming the layer and the numbers, e.g. ``"layer 3, Conv2D 5x5: input is 3x3, smaller than
the kernel"``.
"""


class SpecError(ValueError):
    """A bad spec, a bad setting, a bad shape or bad data, explained in one sentence.

    Parameters
    ----------
    message : str
        The explanation, in plain words.
    layer : int or None
        Index of the offending layer in the spec (0-based), when there is one. The UI uses it
        to mark the node.
    key : str or None
        The setting at fault (``"kernel_size"``, ``"units"``...), when there is one.
    """

    def __init__(self, message: str, layer: int | None = None, key: str | None = None):
        super().__init__(message)
        self.layer = layer
        self.key = key


class DivergenceError(ArithmeticError):
    """Raised by code that must stop on a non-finite loss or gradient outside the Trainer."""
