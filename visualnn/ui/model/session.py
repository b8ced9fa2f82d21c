"""One open project: the saved state and what is being looked at, kept in step.

``Session`` owns a :class:`ProjectState` (``session.project``: network, data, settings,
history) and an :class:`Inspection` (``session.inspect``: the model the views draw, the
selection, the input shown). It does the wiring between them: an edit of the network
rebuilds the model, keeping the trained weights of every layer the edit did not change, and
Undo / Redo give back the weights each step had (``undo_weights``); a new data set resets
the input shown.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from PySide6 import QtCore

from visualnn.engine import Sequential, SpecError
from visualnn.engine.geometry import shape_text
from visualnn.ui.model.forward import ForwardCache
from visualnn.ui.model.inspection import Inspection
from visualnn.ui.model.project_state import (
    Prepared,
    ProjectState,
    prepare_preset,
)
from visualnn.ui.model.undo_weights import UndoWeights


def _signatures(model: Sequential) -> list[str]:
    """What makes two layers interchangeable: their settings and their input shape."""
    return [
        repr((sorted(layer.config().items()), tuple(layer.input_shape or ())))
        for layer in model.layers
    ]


def carry_weights(old: Sequential | None, new: Sequential) -> int:
    """Copy into ``new`` the weights of every layer that ``old`` has unchanged.

    Layers are matched in order (the longest common run of identical layers), so adding,
    removing or moving a layer keeps every other layer's training. Returns how many layers
    kept their weights.
    """
    if old is None:
        return 0
    kept = 0
    matcher = SequenceMatcher(a=_signatures(old), b=_signatures(new), autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            src, dst = old.layers[block.a + k], new.layers[block.b + k]
            if src.params:
                for key, value in src.params.items():
                    dst.params[key][...] = value
                kept += 1
    return kept


class Session(QtCore.QObject):
    """The two halves of one open project and the wiring between them."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.project = ProjectState(self)
        self.inspect = Inspection(self)
        self.forward = ForwardCache(self)
        self._loading = False
        self.undo_weights = UndoWeights(self)
        self.project.document.undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self.project.document.changed.connect(self._on_document_changed)
        self.project.dataset_changed.connect(self._on_project_dataset_changed)

    # --- building ---------------------------------------------------------------------------
    def build_model(self, keep_weights: bool = True) -> None:
        """Build the views' model from the document; ``keep_weights`` carries the trained
        weights of unchanged layers over (Reset passes False for fresh ones)."""
        doc = self.project.document
        try:
            model = Sequential.from_spec(doc.layers, doc.input_shape, seed=self.project.seed)
        except SpecError as exc:
            self.inspect.set_model(None, exc)
            return
        model.loss = self.project.config.loss
        if keep_weights:
            carry_weights(self.inspect.model, model)
        self.inspect.set_model(model)

    def adapt_network(self) -> str | None:
        """Make the network fit the data set: the input shape follows it, the last dense
        layer gets one output per class, and a network that still cannot take a sound set's
        input is replaced by the matching sound preset's. Undoable; returns what was done,
        in words, or None when nothing had to change."""
        from visualnn.presets import PRESETS, fit_to_classes

        ds, doc = self.project.dataset, self.project.document
        if ds is None:
            return None
        said = []
        if tuple(ds.input_shape) != tuple(doc.input_shape):
            doc.set_spec(doc.layers, tuple(ds.input_shape), text="Follow the data set's input")
            said.append(f"the input is now {shape_text(ds.input_shape)}")
        fitted = fit_to_classes(doc.layers, ds.num_classes) if ds.num_classes else doc.layers
        if fitted != doc.layers and doc.error is None:
            doc.set_spec(fitted, text="One output per class")
            said.append(f"the last layer now has {ds.num_classes} outputs, one per class")
        if doc.error is not None and ds.transform is not None:
            name = "sounds-cnn" if len(ds.input_shape) == 3 else "sounds-conv1d"
            preset = PRESETS[name]
            doc.set_spec(fit_to_classes(preset.spec, ds.num_classes),
                         text=f"Use the {name} network")  # fmt: skip
            # and how it trains: another preset's learning rate and epochs (xor's Adam at
            # 0.03) can leave a sound CNN at chance
            self.project.set_config(**preset.config.to_dict())
            said = [f"the network and its training settings are now the {name} preset's "
                    "(the old network did not fit)"]  # fmt: skip
        return "; ".join(said).capitalize() + "." if said else None

    def weights(self) -> list[dict] | None:
        model = self.inspect.model
        return model.get_weights() if model is not None else None

    # --- whole projects -------------------------------------------------------------------
    def load_preset(self, name: str) -> None:
        """Replace everything with preset ``name``; an error leaves all as it was."""
        self.apply(prepare_preset(name))

    def apply(self, prepared: Prepared) -> None:
        self.undo_weights.clear()
        self._loading = True
        try:
            self.project.apply(prepared)
        finally:
            self._loading = False
        self.inspect.selection = type(self.inspect.selection)()
        self.inspect.set_training_state("idle")
        self.inspect.reset_sample(prepared.dataset)
        if prepared.model is not None:
            prepared.model.loss = prepared.config.loss
        self.inspect.set_model(prepared.model, prepared.error)
        self.inspect.selection_changed.emit()

    def to_project(self):
        return self.project.to_project(self.weights())

    # --- slots ----------------------------------------------------------------------------
    def _on_document_changed(self) -> None:
        if self._loading:
            return
        self.undo_weights.leaving()  # before the model goes: Undo brings these back
        self.build_model(keep_weights=True)
        self.project.set_modified(True)

    def _on_undo_index_changed(self, index: int) -> None:
        if not self._loading:
            self.undo_weights.arrived(index)

    def _on_project_dataset_changed(self) -> None:
        if not self._loading:
            self.inspect.reset_sample(self.project.dataset)
            ds, doc = self.project.dataset, self.project.document
            if ds is not None and tuple(ds.input_shape) != tuple(doc.input_shape):
                # The data set fixes the input: the network's first layer must see it.
                doc.set_spec(doc.layers, tuple(ds.input_shape), text="Follow the data set")
