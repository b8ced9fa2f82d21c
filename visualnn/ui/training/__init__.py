"""Training in a process of its own, driven from the GUI's frame clock (no Qt in here).

``TrainerProcess`` is the GUI's handle: ``set_data``, ``start_run``, ``play``/``pause``/
``step_batch``/``step_epoch``/``end_run``, ``update`` for live hyper-parameters,
``set_speed`` for slow motion, and ``poll()`` once per frame for an ``Update``. The child runs
``runner.main``; ``protocol`` holds the messages between the two.
"""

from .process import CHILD_BLAS_THREADS, TrainerProcess
from .protocol import (
    COMPLETED,
    DIVERGED,
    FAILED,
    FINAL_STATES,
    LIVE_KEYS,
    PAUSED,
    RUNNING,
    STOPPED,
)
from .updates import Snapshot, Update

__all__ = [
    "CHILD_BLAS_THREADS",
    "COMPLETED",
    "DIVERGED",
    "FAILED",
    "FINAL_STATES",
    "LIVE_KEYS",
    "PAUSED",
    "RUNNING",
    "STOPPED",
    "Snapshot",
    "TrainerProcess",
    "Update",
]
