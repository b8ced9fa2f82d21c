"""Render the "seeing inside" views at dock sizes of 1920x1080 and 1280x720 windows.

Run: ``QT_QPA_PLATFORM=offscreen python tests/ui/views_screenshots.py [outdir]``; writes
``views-<preset>-<view>-<size>.png`` and ``views-composite-<preset>-<size>.png`` (default
``docs/screenshots``). Not collected by pytest: screenshots are for looking at.

PySide6 6.12.0 on CPython 3.11 drops a reference to ``None`` on many void Qt calls (None is
not immortal before 3.12), so a long rendering session dies with "deallocating None"; render
with PySide6 6.11 until the project pins it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtWidgets  # noqa: E402

#: dock sizes: a right-hand dock column at 1920x1080 and at 1280x720
SIZES = {"1080p": (560, 480), "720p": (400, 330)}
#: whole-window composites: the views tiled as a teacher would dock them
COMPOSITES = {"1080p": (1920, 1080), "720p": (1280, 720)}
#: Keep every rendered widget alive until exit: letting Python collect a top-level pyqtgraph
#: widget before Qt deletes it calls Python overrides on half-dead wrappers (tracebacks).
_KEEP: list = []


def trained_session(preset: str, steps: int):
    from visualnn.engine.trainer import BatchReport, Trainer
    from visualnn.ui.model.session import Session

    session = Session()
    session.load_preset(preset)
    ds = session.project.dataset
    trainer = Trainer(
        session.inspect.model.copy(),
        (ds.x_train, ds.y_train),
        config=session.project.config,
        task=session.project.task,
    )
    done = 0
    for report in trainer.steps():
        done += isinstance(report, BatchReport)
        if done >= steps:
            break
    grads = [{k: v.copy() for k, v in layer.grads.items()} for layer in trainer.model.layers]
    session.inspect.apply_snapshot(trainer.model.get_weights(), grads)
    return session


def views(session):
    from visualnn.ui.panels.data import DataPanel
    from visualnn.ui.views.activations import ActivationsView
    from visualnn.ui.views.boundary import BoundaryView
    from visualnn.ui.views.confusion import PredictionView
    from visualnn.ui.views.neuron import NeuronView
    from visualnn.ui.views.weights import WeightsView

    made = {
        "activations": ActivationsView(session),
        "weights": WeightsView(session),
        "neuron": NeuronView(session),
        "boundary": BoundaryView(session),
        "predictions": PredictionView(session),
        "data": DataPanel(session),
    }
    _KEEP.append(made)
    return made


def settle(app, widgets) -> None:
    for _ in range(3):
        app.processEvents()
        for w in widgets:
            for name in ("throttle", "cm_throttle"):
                if hasattr(w, name):
                    getattr(w, name).mark()
                    getattr(w, name).flush()
    app.processEvents()


def composite(session, size, app):
    """Three columns: data + predictions | activations + neuron | weights + boundary."""
    vs = views(session)
    root = QtWidgets.QWidget()
    grid = QtWidgets.QGridLayout(root)
    grid.setContentsMargins(2, 2, 2, 2)
    places = {
        "data": (0, 0),
        "predictions": (1, 0),
        "activations": (0, 1),
        "neuron": (1, 1),
        "weights": (0, 2),
        "boundary": (1, 2),
    }
    for name, (r, c) in places.items():
        box = QtWidgets.QGroupBox(name.capitalize())
        QtWidgets.QVBoxLayout(box).addWidget(vs[name])
        grid.addWidget(box, r, c)
    _KEEP.append(root)
    root.resize(*size)
    if root.minimumSizeHint().width() > size[0] or root.minimumSizeHint().height() > size[1]:
        print(f"composite {size}: views need at least {root.minimumSizeHint().toTuple()}")
    root.show()
    settle(app, vs.values())
    return root, vs


def main(out: Path) -> None:
    from visualnn.ui import restyle

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    restyle.apply(app)
    out.mkdir(parents=True, exist_ok=True)
    plans = {
        "xor": (1500, 0, (2,)),
        "digits-cnn": (120, 2, (5, 2, 1)),
        "digits-mlp": (100, 1, (3,)),
    }
    for preset, (steps, layer, unit) in plans.items():
        session = trained_session(preset, steps)
        session.inspect.select_sample(5)
        session.inspect.select(layer, unit)
        for size_name, size in SIZES.items():
            if preset == "digits-mlp":
                break  # composites only: the single views look like digits-cnn's
            for name, w in views(session).items():
                w.resize(*size)
                w.show()
                settle(app, [w])
                w.grab().save(str(out / f"views-{preset}-{name}-{size_name}.png"))
                if name == "weights":  # the same view switched to the last step's gradients
                    w.grad_check.setChecked(True)
                    settle(app, [w])
                    w.grab().save(str(out / f"views-{preset}-gradients-{size_name}.png"))
                w.close()
        for size_name, size in COMPOSITES.items():
            root, _vs = composite(session, size, app)
            root.grab().save(str(out / f"views-composite-{preset}-{size_name}.png"))
            root.close()
    print(f"screenshots in {out}")
    os._exit(0)  # skip interpreter teardown of the kept widgets (see _KEEP)


if __name__ == "__main__":
    main(
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).parents[2] / "docs" / "screenshots"
    )
