"""Data sets: 2-D toys, sums, the one-neuron set, 8x8 digits, bit parity and sounds; no downloads.

``load_dataset(name, **params)`` is the one entry point; ``DATASETS`` maps each name to its
maker and the parameters it accepts (the UI builds its data panel from it).
"""

from __future__ import annotations

import difflib
import inspect
from functools import partial
from typing import Any

from visualnn.data.dataset import Dataset
from visualnn.data.digits import make_digits
from visualnn.data.neuron import make_neuron
from visualnn.data.sequence import make_parity
from visualnn.data.sound.dataset import make_sounds
from visualnn.data.sum import make_sum
from visualnn.data.toy2d import make_toy2d
from visualnn.engine.errors import SpecError

DATASETS: dict[str, Any] = {
    "circle": partial(make_toy2d, "circle"),
    "xor": partial(make_toy2d, "xor"),
    "gauss": partial(make_toy2d, "gauss"),
    "spiral": partial(make_toy2d, "spiral"),
    "plane": partial(make_toy2d, "plane"),
    "sum": make_sum,
    "neuron": make_neuron,
    "digits": partial(make_digits, images=False),
    "digits_images": partial(make_digits, images=True),
    "sounds": make_sounds,
    "parity": make_parity,
}
#: Keyword arguments a loader takes that are objects, not settings (never shown or saved).
OBJECT_PARAMS = ("images", "name", "clips")


def dataset_params(name: str) -> dict[str, Any]:
    """The parameters ``name`` accepts with their defaults, e.g. ``{"noise": 0.0, ...}``."""
    sig = inspect.signature(DATASETS[name])
    return {k: p.default for k, p in sig.parameters.items() if k not in OBJECT_PARAMS}


def load_dataset(name: str, **params: Any) -> Dataset:
    """Make or load a data set by registry name.

    Raises
    ------
    SpecError
        For an unknown name or parameter, or a parameter out of range, in one sentence.
    """
    if name not in DATASETS:
        raise SpecError(f"unknown dataset '{name}'; known datasets: {', '.join(DATASETS)}")
    allowed = dataset_params(name)
    objects = {k: params.pop(k) for k in OBJECT_PARAMS if k in params}
    if objects and "clips" not in inspect.signature(DATASETS[name]).parameters:
        raise SpecError(f"dataset {name} takes no ready clips")
    for key in params:
        if key not in allowed:
            hint = difflib.get_close_matches(key, list(allowed), n=1)
            known = f"did you mean '{hint[0]}'?" if hint else f"it takes: {', '.join(allowed)}"
            if not allowed:
                known = "it takes no settings"
            raise SpecError(f"dataset {name}: unknown setting '{key}' ({known})", key=key)
    return DATASETS[name](**params, **objects)


__all__ = ["DATASETS", "Dataset", "dataset_params", "load_dataset"]
