"""The trained weights of every undo step, so Undo gives back the network as it was.

An edit keeps the weights of the layers it did not change (``session.carry_weights``), but
the layer it changed starts afresh, and undoing the edit used to build that layer afresh
once more: undo a units change after training and the layer's training was gone. Here,
each time the network leaves an undo step (an edit, an undo, a redo), the weights it had are
kept under that step's index; when the stack arrives at a step again, the network gets them
back if it is the same network (same layers, same input). Training in a step and leaving it
again keeps the newer weights.
"""

from __future__ import annotations

#: Undo steps whose weights are kept, nearest to the current one first.
MAX_STEPS = 40


def _key(model) -> str:
    """What must match for weights to fit: the layers and the input shape."""
    return repr((model.to_spec(), tuple(model.input_shape)))


class UndoWeights:
    """Weights by undo index for ``session`` (its document's stack, its inspected model).

    Plain Python, not a QObject: the session calls :meth:`leaving` before a change and
    :meth:`arrived` when the stack's index changed.
    """

    def __init__(self, session) -> None:
        self.session = session
        self.stack = session.project.document.undo_stack
        self.steps: dict[int, tuple[str, list[dict]]] = {}

    def leaving(self) -> None:
        """The network is about to change: keep its weights under the current step."""
        model = self.session.inspect.model
        if model is None:
            return
        here = self.stack.index()
        self.steps[here] = (_key(model), model.get_weights())
        farthest = sorted(self.steps, key=lambda k: -abs(k - here))
        for far in farthest[: max(len(self.steps) - MAX_STEPS, 0)]:
            del self.steps[far]

    def clear(self) -> None:
        """Another project: nothing kept belongs to it."""
        self.steps.clear()

    def arrived(self, index: int) -> None:
        """The undo stack is at step ``index``: give the network that step's weights back."""
        kept, model = self.steps.get(index), self.session.inspect.model
        if kept is None or model is None or kept[0] != _key(model):
            return
        self.session.inspect.apply_snapshot(kept[1])
