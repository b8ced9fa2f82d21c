"""The network being edited: a spec (list of layer dicts + input shape) with undo and validation.

``SpecDocument`` is what the graph, the palette and the inspector edit and what ``Session``
builds models from. Every public edit is a ``QUndoCommand`` on ``undo_stack``; after every
change (do, undo, redo) the spec is re-validated with the engine's ``validate_spec`` and
``changed`` is emitted. Two kinds of bad edit exist:

- a value that is nonsense on its own (units "2.5", a negative stride) or outside what the
  inspector offers (``Setting.editor`` of ``engine.settings``) is *refused*: nothing
  changes, ``edit_refused(str)`` is emitted with the reason and the call returns False;
- a value that is fine alone but does not fit the network (a 5x5 kernel on a 3x3 map) is
  *kept*; ``error`` then holds the engine's ``SpecError`` and the graph marks that node.
"""

from __future__ import annotations

import copy

from PySide6 import QtCore
from PySide6.QtGui import QUndoStack

from visualnn.engine import SpecError, validate_spec
from visualnn.engine.settings import setting, whole_number
from visualnn.ui.model import commands
from visualnn.ui.model.catalog import fallback_label, layer_info


class SpecDocument(QtCore.QObject):
    """An editable, undoable, always-validated network spec.

    Attributes
    ----------
    layers : list of dict
        The spec, one JSON-able dict per layer (read it; change it only through the methods).
    input_shape : tuple of int
        Shape of one input sample, e.g. ``(2,)`` or ``(1, 8, 8)``.
    input_locked : bool
        True when the dataset fixes the input shape (the inspector then shows it read-only).
    undo_stack : QUndoStack
        All edits; the main window makes its Undo/Redo actions from it.
    shapes : list
        One entry per layer: the engine's ``LayerShape`` (index, type, label, in_shape,
        out_shape, num_params), or None for the invalid layer and every layer after it.
    error : SpecError or None
        Why the spec does not build; ``error.layer`` is the 0-based index to mark.
    """

    changed = QtCore.Signal()
    edit_refused = QtCore.Signal(str)

    def __init__(
        self,
        parent: QtCore.QObject | None = None,
        layers: list[dict] | None = None,
        input_shape: tuple[int, ...] = (2,),
    ) -> None:
        super().__init__(parent)
        self.layers: list[dict] = copy.deepcopy(layers) if layers else []
        self.input_shape: tuple[int, ...] = tuple(int(s) for s in input_shape)
        self.input_locked = False
        self.undo_stack = QUndoStack(self)
        self.shapes: list = []
        self.error: SpecError | None = None
        self._revalidate()

    # --- queries ------------------------------------------------------------------------
    def spec(self) -> list[dict]:
        """A deep copy of the layer list, safe to hand to another thread or file."""
        return copy.deepcopy(self.layers)

    def label(self, index: int) -> str:
        """Node title of layer ``index`` ("Dense 8", "Conv2D 8@3x3"), valid or not."""
        shape = self.shapes[index] if index < len(self.shapes) else None
        return shape.label if shape is not None else fallback_label(self.layers[index])

    def layer_error(self, index: int) -> str | None:
        """The engine's sentence if layer ``index`` is the one that breaks the spec."""
        if self.error is not None and self.error.layer == index:
            return str(self.error)
        return None

    # --- undoable edits -----------------------------------------------------------------
    def add_layer(self, index: int, layer: dict) -> bool:
        """Insert ``layer`` (spec dict) so it becomes layer ``index``; clamps ``index``."""
        if not isinstance(layer, dict) or "type" not in layer:
            return self._refuse("a layer needs a type")
        index = max(0, min(int(index), len(self.layers)))
        self.undo_stack.push(commands.AddLayer(self, index, layer))
        return True

    def duplicate_layer(self, index: int) -> bool:
        """Insert a copy of layer ``index`` right after it."""
        if not self._valid_index(index):
            return False
        self.undo_stack.push(
            commands.AddLayer(
                self,
                index + 1,
                self.layers[index],
                text=f"Duplicate {layer_info(self.layers[index]['type']).title} layer {index + 1}",
            )
        )
        return True

    def remove_layer(self, index: int) -> bool:
        if not self._valid_index(index):
            return False
        self.undo_stack.push(commands.RemoveLayer(self, index))
        return True

    def move_layer(self, src: int, dst: int) -> bool:
        """Move layer ``src`` so that it ends up at index ``dst`` (clamped)."""
        if not self._valid_index(src):
            return False
        dst = max(0, min(int(dst), len(self.layers) - 1))
        if dst == src:
            return False
        self.undo_stack.push(commands.MoveLayer(self, src, dst))
        return True

    def set_option(self, index: int, key: str, value) -> bool:
        """Set ``key`` of layer ``index``; returns False (and says why) for a nonsense value."""
        if not self._valid_index(index):
            return False
        layer = self.layers[index]
        where = f"layer {index + 1}, {fallback_label(layer)}"
        if key not in layer_info(layer["type"]).keys and key not in layer:
            return self._refuse(f"{where} has no setting '{key}'")
        s = setting(layer["type"], key)
        if s is None or (value is None and not s.required):
            clean = value  # None removes the key: the engine's default
        else:
            clean = s.clean(value)
            if clean is None:
                return self._refuse(s.refusal(value, where, editor=True))
        if layer.get(key) == clean and (clean is not None or key not in layer):
            return True
        self.undo_stack.push(commands.SetOption(self, index, key, clean))
        return True

    def set_spec(self, layers: list[dict], input_shape=None, text: str = "Replace network"):
        """Replace the network as one undoable step (keeps the input shape if not given)."""
        shape = self.input_shape if input_shape is None else tuple(int(s) for s in input_shape)
        self.undo_stack.push(commands.SetSpec(self, layers, shape, text))

    def set_input_shape(self, input_shape) -> bool:
        """Change the shape of one input sample, e.g. ``(1, 8, 8)``; undoable."""
        sizes = input_shape if isinstance(input_shape, list | tuple) else []
        dims = [whole_number(s, 1, strict=False) for s in sizes]
        if not 1 <= len(dims) <= 3 or None in dims:
            return self._refuse(f"input shape must be 1 to 3 whole numbers >= 1, not {input_shape}")
        if tuple(dims) == self.input_shape:
            return True
        self.set_spec(self.layers, tuple(dims), text="Change input shape")
        return True

    def reset(self, layers: list[dict], input_shape, locked: bool | None = None) -> None:
        """Load a network without an undo step (new project, preset, file) and clear history."""
        self.undo_stack.clear()
        if locked is not None:
            self.input_locked = bool(locked)
        self._replace(copy.deepcopy(layers), tuple(int(s) for s in input_shape))
        self.undo_stack.setClean()

    # --- primitives used by the commands ------------------------------------------------
    def _insert(self, index: int, layer: dict) -> None:
        self.layers.insert(index, layer)
        self._commit()

    def _pop(self, index: int) -> dict:
        layer = self.layers.pop(index)
        self._commit()
        return layer

    def _move(self, src: int, dst: int) -> None:
        self.layers.insert(dst, self.layers.pop(src))
        self._commit()

    def _set_value(self, index: int, key: str, value) -> None:
        if value is None:
            self.layers[index].pop(key, None)
        else:
            self.layers[index][key] = value
        self._commit()

    def _replace(self, layers: list[dict], input_shape: tuple[int, ...]) -> None:
        self.layers, self.input_shape = layers, tuple(input_shape)
        self._commit()

    # --- helpers ------------------------------------------------------------------------
    def _commit(self) -> None:
        self._revalidate()
        self.changed.emit()

    def _revalidate(self) -> None:
        """Recompute ``shapes`` and ``error``; never raises."""
        n = len(self.layers)
        try:
            self.shapes, self.error = list(validate_spec(self.layers, self.input_shape)), None
            return
        except SpecError as exc:
            self.error = exc
        except Exception as exc:  # an engine bug must not take the editor down with it
            self.error = SpecError(f"cannot check this network: {exc}", layer=None)
        bad = self.error.layer if self.error.layer is not None else 0
        bad = max(0, min(bad, n))
        try:
            # The layers before the bad one are fine: keep their shapes on the nodes.
            good = list(validate_spec(self.layers[:bad], self.input_shape)) if bad else []
        except Exception:  # noqa: BLE001 - a shorter prefix can still fail (e.g. bad input)
            good = []
        self.shapes = good + [None] * (n - len(good))

    def _valid_index(self, index) -> bool:
        if isinstance(index, int) and 0 <= index < len(self.layers):
            return True
        return self._refuse(f"there is no layer {index + 1 if isinstance(index, int) else index}")

    def _refuse(self, message: str) -> bool:
        self.edit_refused.emit(message)
        return False
