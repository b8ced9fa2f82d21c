"""Neuron maps: on 2-D points every neuron shows its output over the plane (TF Playground)."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui
from views_helpers import show_editor

from visualnn.ui import theme
from visualnn.ui.graph.plane_maps import MAP_GRID, map_images, plane_outputs
from visualnn.ui.model.plane import plane_grid
from visualnn.ui.model.session import Session

XOR_MLP = [
    {"type": "dense", "units": 8, "activation": "tanh"},
    {"type": "dense", "units": 2},
]


def _xor_session() -> Session:
    """A 2-8-2 tanh network on the xor points, built with its seeded weights."""
    session = Session()
    session.project.set_dataset("xor")
    session.project.document.reset(XOR_MLP, (2,))
    session.build_model(keep_weights=False)
    return session


def _rgb(image: QtGui.QImage, x: int, y: int) -> tuple[int, int, int]:
    return QtGui.QColor(image.pixel(x, y)).getRgb()[:3]


def _colour(name: str) -> tuple[int, int, int]:
    return QtGui.QColor(name).getRgb()[:3]


def test_map_colours_follow_the_neurons_sign_and_size_and_put_high_y_on_top(qtbot):
    n = 4
    values = np.zeros((n, n, 2))
    values[0, 0, 0] = 2.0  # row 0 is the plane's lowest y: the picture's bottom row
    values[n - 1, n - 1, 0] = -1.0
    values[1, 1, 0] = np.nan
    values[..., 1] = 0.5  # a unit of one value everywhere: as strong as its layer's largest
    first, second = map_images(values)
    assert first.width() == first.height() == n
    assert _rgb(first, 0, n - 1) == _colour(theme.POSITIVE)  # the largest: full colour
    top_right = np.array(_rgb(first, n - 1, 0), float)
    panel, negative = np.array(_colour(theme.PANEL), float), np.array(_colour(theme.NEGATIVE))
    mix = (top_right - panel) / np.where(negative != panel, negative - panel, 1)
    assert np.allclose(mix[negative != panel], (25 + 230 * 0.5) / 255, atol=0.01)  # half
    assert _rgb(first, 1, n - 2) == _colour(theme.PANEL)  # not a number: the card's colour
    zero = np.array(_rgb(first, 2, 0), float)
    assert np.abs(zero - panel).max() < 40  # zero: the faintest tint of the card
    # one scale per layer: 0.5 of a largest 2.0 is a quarter-strength colour
    quarter = (np.array(_rgb(second, 0, 0), float) - panel)[0]
    full = (np.array(_colour(theme.POSITIVE), float) - panel)[0]
    assert np.isclose(quarter / full, (25 + 230 * 0.25) / 255, atol=0.01)


def test_plane_outputs_are_the_networks_own_values_at_the_grid_points(qtbot):
    session = _xor_session()
    model, grid = session.inspect.model, plane_grid(session.project.dataset, MAP_GRID)
    outs = plane_outputs(model, grid)
    assert [o.shape for o in outs] == [(MAP_GRID, MAP_GRID, 8), (MAP_GRID, MAP_GRID, 2)]
    r, c = 3, 17  # row r is y = ys[r], column c is x = xs[c]
    point = np.array([[grid.xs[c], grid.ys[r]]], np.float32)
    hidden = model.layers[0].forward(point)
    assert np.allclose(outs[0][r, c], hidden[0], atol=1e-5)
    assert np.allclose(outs[1][r, c], model.forward(point)[0], atol=1e-5)
    assert grid.fraction(grid.lo) == (0.0, 0.0) and grid.fraction(grid.hi) == (1.0, 1.0)


def test_every_neuron_of_a_network_on_points_is_a_live_map_of_the_plane(qtbot):
    session = _xor_session()
    _, view, _, _ = show_editor(qtbot, session)
    scene = view.graph
    neurons = [n for node in scene.chain() for n in node.neurons]
    assert len(neurons) == 2 + 8 + 2 and all(n.map is not None for n in neurons)
    x1, x2 = (n.map for n in scene.input_node.neurons)
    # the input x1 grows to the right (cool to warm), x2 upwards
    assert _rgb(x1, 0, 12)[2] > _rgb(x1, 0, 12)[0] and _rgb(x1, 23, 12)[0] > _rgb(x1, 23, 12)[2]
    assert _rgb(x2, 12, 23)[2] > _rgb(x2, 12, 23)[0] and _rgb(x2, 12, 0)[0] > _rgb(x2, 12, 0)[2]
    # the ring is where the selected sample lies on the plane
    x, _ = session.inspect.sample()
    assert neurons[0].marker == scene._plane[1].fraction(x[0])
    # new weights: the hidden units' maps change with them
    before = [n.map.copy() for n in scene.nodes[0].neurons]
    w = session.inspect.model.get_weights()
    w[0]["weight"] = -w[0]["weight"]
    session.inspect.apply_snapshot(w)
    qtbot.wait(150)
    assert all(n.map != b for n, b in zip(scene.nodes[0].neurons, before, strict=True))
    # weights that are not numbers: drawn, never a crash
    w[0]["weight"][:] = np.nan
    session.inspect.apply_snapshot(w)
    qtbot.wait(150)
    assert scene.nodes[0].neurons[0].map is not None


def test_a_network_on_images_keeps_plain_neurons(qtbot):
    session = Session()
    session.project.set_dataset("digits")
    session.project.document.reset([{"type": "dense", "units": 10}], (64,))
    session.build_model(keep_weights=False)
    _, view, _, _ = show_editor(qtbot, session)
    (output,) = view.graph.nodes
    assert len(output.neurons) == 10 and all(n.map is None for n in output.neurons)
    assert output.neurons[0].value is not None  # filled by the sample's value, as before
    # one colour rule for circles and maps: each circle is its value's map colour
    from visualnn.ui.views.boundary_colours import signed_rgb

    values = np.array([n.value for n in output.neurons])
    expected = signed_rgb(values, theme.PANEL)
    seen = [n.brush().color().getRgb()[:3] for n in output.neurons]
    assert seen == [tuple(int(c) for c in rgb) for rgb in expected]


def test_neuron_fills_are_the_map_colours_and_a_missing_value_is_the_card(qtbot):
    from visualnn.ui.graph.neurons import neuron_fills
    from visualnn.ui.views.boundary_colours import signed_rgb

    fills = neuron_fills([2.0, -1.0, None, 0.0], 2.0)
    expected = signed_rgb(np.array([2.0, -1.0, np.nan, 0.0]), theme.PANEL)
    assert [f.getRgb()[:3] for f in fills] == [tuple(int(c) for c in e) for e in expected]
    assert fills[0].getRgb()[:3] == _colour(theme.POSITIVE)
    assert fills[2].getRgb()[:3] == _colour(theme.PANEL)


def test_a_selected_map_neuron_is_ringed_outside_its_picture(qtbot):
    session = _xor_session()
    _, view, _, _ = show_editor(qtbot, session)
    session.inspect.select(0, (3,))
    neuron = view.graph.nodes[0].neurons[3]
    assert neuron.selected and neuron.map is not None
    image = QtGui.QImage(160, 160, QtGui.QImage.Format_RGB32)
    image.fill(QtGui.QColor("#000000"))
    painter = QtGui.QPainter(image)
    painter.translate(80, 80)
    neuron.paint(painter, None)
    painter.end()
    r = int(neuron.radius)
    accent = QtGui.QColor(theme.ACCENT).getRgb()[:3]
    assert _rgb(image, 80, 80 - r - 5) == accent  # above the picture, not on it
    assert _rgb(image, 80, 80 - r - 5) != _rgb(image, 80, 80 - r + 3)


def test_pointing_at_a_neuron_shows_its_output_large_in_the_decision_boundary(qtbot):
    """TensorFlow Playground's hover: the boundary view shows that one unit, then returns."""
    from visualnn.ui.views.boundary import BoundaryView
    from visualnn.ui.views.boundary_colours import signed_rgb

    session = _xor_session()
    _, graph, _, _ = show_editor(qtbot, session)
    boundary = BoundaryView(session)
    qtbot.addWidget(boundary)
    boundary.resize(500, 500)
    boundary.show()
    boundary.throttle.flush()
    network = boundary.image.image.copy()
    neuron = graph.graph.nodes[0].neurons[5]
    graph.graph.unit_pointed(0, 5)  # what the neuron's hover-enter calls
    assert session.inspect.preview == (0, 5)
    boundary.throttle.flush()
    grid = boundary._grid(session.project.dataset)
    hidden = session.inspect.model.layers[0].forward(grid.points).reshape(grid.n, grid.n, 8)
    expected = signed_rgb(hidden, theme.BACKGROUND)[:, :, 5]
    assert np.array_equal(boundary.image.image[..., :3], expected)
    assert boundary.preview_label.isVisible() and "Layer 1 \u00b7 unit 5" in (
        boundary.preview_label.text()
    )
    # it says so in the legend's place, never over the picture
    box = boundary.plot_widget.getPlotItem().getViewBox()
    picture = box.mapRectToScene(box.boundingRect())
    picture = boundary.plot_widget.mapFromScene(picture).boundingRect()
    picture.translate(boundary.plot_widget.pos())
    label = boundary.preview_label
    seen = QtCore.QRect(label.mapTo(boundary, QtCore.QPoint(0, 0)), label.size())
    assert not seen.intersects(picture)
    assert seen.bottom() == boundary.legend.geometry().bottom()
    assert len(boundary.isocurve.getData()[0]) > 0  # the unit's line, z = 0, across the plane
    graph.graph.unit_pointed(None, 0)  # an input feature: x0 grows to the right
    boundary.throttle.flush()
    row = boundary.image.image[grid.n // 2, :, :3].astype(int)
    assert row[0, 2] > row[0, 0] and row[-1, 0] > row[-1, 2]  # cool left, warm right
    assert "x\u2080" in boundary.preview_label.text()
    original = [{k: v.copy() for k, v in d.items()} for d in session.inspect.model.get_weights()]
    broken = [{k: v.copy() for k, v in d.items()} for d in original]
    broken[0]["weight"][5, 0] = np.inf  # z is ±inf either side of x0 = 0: never a crash,
    # and the line's cells there have no finite crossing: no segment of NaN ends is drawn
    graph.graph.unit_pointed(0, 5)
    session.inspect.apply_snapshot(broken)
    boundary.throttle.flush()
    x, y = boundary.isocurve.getData()
    assert boundary.preview_label.isVisible() and np.isfinite(x).all() and np.isfinite(y).all()
    session.inspect.apply_snapshot(original)
    graph.graph.unit_pointed(None, None)  # the pointer leaves
    boundary.throttle.flush()
    assert session.inspect.preview is None and not boundary.preview_label.isVisible()
    assert np.array_equal(boundary.image.image, network)
    assert neuron.map is not None and "unit 5" in neuron.toolTip()


def test_the_pointer_on_a_map_neuron_points_at_it_and_off_it_at_nothing(qtbot):
    from PySide6 import QtCore

    session = _xor_session()
    _, view, _, _ = show_editor(qtbot, session)
    view.fit()
    pos = view.mapFromScene(view.graph.nodes[0].neurons[2].scenePos())
    qtbot.mouseMove(view.viewport(), pos)
    qtbot.wait(50)
    assert session.inspect.preview == (0, 2)
    qtbot.mouseMove(view.viewport(), pos + QtCore.QPoint(0, 400))
    qtbot.wait(50)
    assert session.inspect.preview is None
    view.graph.unit_pointed(0, 2)
    session.project.document.reset(XOR_MLP[1:], (2,))  # the network changes under the pointer
    assert session.inspect.preview is None


def test_a_softmax_outputs_maps_are_its_classes_colours_as_strong_as_their_probability(qtbot):
    from visualnn.ui.theme import class_colours

    session = Session()
    session.project.set_dataset("xor")
    layers = [XOR_MLP[0], {"type": "dense", "units": 2, "activation": "softmax"}]
    session.project.document.reset(layers, (2,))
    session.build_model(keep_weights=False)
    _, view, _, _ = show_editor(qtbot, session)
    outputs = view.graph.nodes[1].neurons
    probs = plane_outputs(session.inspect.model, view.graph._plane[1])[1]  # (n, n, 2)
    names = session.project.dataset.class_names
    panel = np.array(_colour(theme.PANEL), float)
    for j, neuron in enumerate(outputs):
        colour = np.array(class_colours(2, names)[j].getRgb()[:3], float)
        for r, c in (
            np.unravel_index(f(probs[..., j]), probs.shape[:2]) for f in (np.argmax, np.argmin)
        ):
            # the picture's row 0 is the plane's top: row r of the grid is picture row n-1-r
            seen = np.array(_rgb(neuron.map, c, MAP_GRID - 1 - r), float)
            strength = (25 + 230 * probs[r, c, j]) / 255
            assert np.allclose(seen, panel + (colour - panel) * strength, atol=2), (j, r, c)
    assert f"probability of {names[1]!r}" in outputs[1].toolTip()
    # pointed at, the boundary shows that probability large, in the same colours
    from visualnn.ui.views.boundary import BoundaryView
    from visualnn.ui.views.boundary_colours import class_rgb

    boundary = BoundaryView(session)
    qtbot.addWidget(boundary)
    boundary.resize(500, 500)
    boundary.show()
    view.graph.unit_pointed(1, 1)
    boundary.throttle.flush()
    grid = boundary._grid(session.project.dataset)
    probs = session.inspect.model.forward(grid.points).reshape(grid.n, grid.n, 2)
    expected = class_rgb(probs, theme.BACKGROUND, names)[:, :, 1]
    assert np.array_equal(boundary.image.image[..., :3], expected)
    # the hidden tanh units keep the signed colours: warm and cool on one map
    hidden = view.graph.nodes[0].neurons[0].map
    pixels = {_rgb(hidden, x, y) for x in range(0, MAP_GRID, 4) for y in range(0, MAP_GRID, 4)}
    warm = any(p[0] > p[2] + 40 for p in pixels)
    cool = any(p[2] > p[0] + 40 for p in pixels)
    assert warm and cool


def test_class_colours_of_probabilities_and_a_value_that_is_not_a_number(qtbot):
    from visualnn.ui.theme import class_colours
    from visualnn.ui.views.boundary_colours import class_rgb

    probs = np.array([[1.0, 0.0], [0.5, 0.5], [np.nan, 0.2]])
    rgb = class_rgb(probs, theme.PANEL, ("orange", "blue")).astype(float)
    assert rgb.shape == (3, 2, 3)
    orange, blue = (np.array(c.getRgb()[:3], float) for c in class_colours(2, ("orange", "blue")))
    panel = np.array(_colour(theme.PANEL), float)
    assert np.allclose(rgb[0, 0], orange, atol=1) and np.allclose(
        rgb[0, 1], panel + (blue - panel) * 25 / 255, atol=1
    )
    assert np.allclose(rgb[1, 1], panel + (blue - panel) * (25 + 115) / 255, atol=1.5)
    assert np.allclose(rgb[2, 0], panel)  # not a number: the card's own colour
