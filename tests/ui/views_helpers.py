"""Shared set-up for the "seeing inside" view tests: small real models on real data, a few
real optimiser steps, and showing a view the way a dock would."""

from __future__ import annotations

from visualnn.engine import TrainConfig
from visualnn.engine.trainer import BatchReport, Trainer
from visualnn.ui.model.session import Session

XOR_SPEC = [
    {"type": "dense", "units": 6, "activation": "tanh"},
    {"type": "dense", "units": 4, "activation": "relu"},
    {"type": "dense", "units": 2, "activation": "softmax"},
]
CNN_SPEC = [
    {
        "type": "conv2d",
        "out_channels": 4,
        "kernel_size": 3,
        "padding": "same",
        "activation": "relu",
    },
    {"type": "maxpool2d", "kernel_size": 2},
    {
        "type": "conv2d",
        "out_channels": 6,
        "kernel_size": 3,
        "stride": 1,
        "padding": 1,
        "activation": "leaky_relu",
    },
    {"type": "flatten"},
    {"type": "dense", "units": 10},
]


def make_session(qtbot, spec, dataset, input_shape) -> Session:
    session = Session()
    session.project.set_dataset(dataset)
    session.project.document.reset(spec, input_shape)
    session.build_model(keep_weights=False)
    assert session.inspect.model is not None, session.inspect.spec_error
    return session


def train_steps(session: Session, steps: int, lr: float = 0.1) -> None:
    """A few real optimiser steps, then publish weights and grads as the worker would."""
    ds = session.project.dataset
    cfg = TrainConfig(lr=lr, batch_size=32, epochs=100, loss="cross_entropy")
    trainer = Trainer(session.inspect.model.copy(), (ds.x_train, ds.y_train), config=cfg)
    done = 0
    for report in trainer.steps():
        if isinstance(report, BatchReport):
            done += 1
            if done >= steps:
                break
    grads = [{k: v.copy() for k, v in layer.grads.items()} for layer in trainer.model.layers]
    session.inspect.apply_snapshot(trainer.model.get_weights(), grads)


def show(qtbot, widget, w=700, h=600):
    qtbot.addWidget(widget)
    widget.resize(w, h)
    widget.show()
    qtbot.waitExposed(widget)
    widget.throttle.flush()
    return widget


def show_editor(qtbot, session: Session):
    """``(session, view, palette, inspector)``: the graph editor's three widgets on
    ``session``, the view at 1280x720 and exposed."""
    from visualnn.ui.graph.palette import LayerPalette
    from visualnn.ui.graph.view import GraphView
    from visualnn.ui.panels.inspector import LayerInspector

    view, palette, inspector = GraphView(session), LayerPalette(session), LayerInspector(session)
    view.resize(1280, 720)
    for w in (view, palette, inspector):
        qtbot.addWidget(w)
    view.show()
    qtbot.waitExposed(view)
    return session, view, palette, inspector
