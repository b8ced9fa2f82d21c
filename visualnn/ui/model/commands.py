"""Undoable edits of a ``SpecDocument``: every change to the network goes through one of these.

Each command only stores plain spec data (dicts, tuples) and calls the document's private
primitives, which re-validate and emit ``changed``; so undo restores the exact spec, and the
Edit menu reads "Undo Change units of layer 2".
"""

from __future__ import annotations

import copy

from PySide6.QtGui import QUndoCommand

from visualnn.engine.settings import setting
from visualnn.ui.model.catalog import layer_info

#: ``QUndoCommand.id()`` of ``SetOption``: consecutive edits of one field merge into one step.
SET_OPTION_ID = 4101


def _title(layer: dict) -> str:
    return layer_info(layer.get("type", "?")).title


class AddLayer(QUndoCommand):
    """Insert ``layer`` so that it ends up at ``index``."""

    def __init__(self, document, index: int, layer: dict, text: str = ""):
        super().__init__(text or f"Add {_title(layer)} layer {index + 1}")
        self.document, self.index, self.layer = document, index, copy.deepcopy(layer)

    def redo(self) -> None:
        self.document._insert(self.index, copy.deepcopy(self.layer))

    def undo(self) -> None:
        self.document._pop(self.index)


class RemoveLayer(QUndoCommand):
    """Delete the layer at ``index`` (kept here so undo puts it back as it was)."""

    def __init__(self, document, index: int):
        self.layer = copy.deepcopy(document.layers[index])
        super().__init__(f"Delete {_title(self.layer)} layer {index + 1}")
        self.document, self.index = document, index

    def redo(self) -> None:
        self.document._pop(self.index)

    def undo(self) -> None:
        self.document._insert(self.index, copy.deepcopy(self.layer))


class MoveLayer(QUndoCommand):
    """Move the layer at ``src`` so that it ends up at index ``dst``."""

    def __init__(self, document, src: int, dst: int):
        layer = document.layers[src]
        super().__init__(f"Move {_title(layer)} layer {src + 1} to position {dst + 1}")
        self.document, self.src, self.dst = document, src, dst

    def redo(self) -> None:
        self.document._move(self.src, self.dst)

    def undo(self) -> None:
        self.document._move(self.dst, self.src)


class SetOption(QUndoCommand):
    """Set one setting of one layer; ``None`` removes the key (e.g. no activation)."""

    _MISSING = object()

    def __init__(self, document, index: int, key: str, value):
        layer = document.layers[index]
        found = setting(layer.get("type", "?"), key)
        super().__init__(f"Change {found.label if found else key} of layer {index + 1}")
        self.document, self.index, self.key = document, index, key
        self.old = copy.deepcopy(layer[key]) if key in layer else self._MISSING
        self.new = copy.deepcopy(value)

    def id(self) -> int:  # noqa: A003 - Qt's name
        return SET_OPTION_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        # Spin-box arrows send one edit per click: one undo step per field is what a user
        # expects, so a run of edits of the same field collapses into the first one.
        if not isinstance(other, SetOption) or (other.index, other.key) != (self.index, self.key):
            return False
        self.new = copy.deepcopy(other.new)
        self.setObsolete(self.new == self.old)
        return True

    def redo(self) -> None:
        self.document._set_value(self.index, self.key, copy.deepcopy(self.new))

    def undo(self) -> None:
        old = None if self.old is self._MISSING else copy.deepcopy(self.old)
        self.document._set_value(self.index, self.key, old)


class SetSpec(QUndoCommand):
    """Replace the whole network (layers and input shape), e.g. a preset or a pasted spec."""

    def __init__(
        self,
        document,
        layers: list[dict],
        input_shape: tuple,
        text: str = "Replace network",
    ):
        super().__init__(text)
        self.document = document
        self.old = (copy.deepcopy(document.layers), tuple(document.input_shape))
        self.new = (copy.deepcopy(layers), tuple(input_shape))

    def redo(self) -> None:
        self.document._replace(copy.deepcopy(self.new[0]), self.new[1])

    def undo(self) -> None:
        self.document._replace(copy.deepcopy(self.old[0]), self.old[1])
