"""The editable layer graph: document (spec + undo), commands, scene, items, view, palette."""
