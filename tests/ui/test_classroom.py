"""What a class sees: every visible text whole and large enough, at a projector's 1280x720
and a wall screen's 1920x1080, for every preset, with and without presentation mode.

The walk (``readability.py``) measures what Qt laid out: a label narrower than its text, a
button squeezed under its words, an elided tab, combo box or dock title, a toolbar button in
the overflow menu, a panel scrolling sideways. Presenting at 1280x720, no text on screen
(painted text of the graph, the plots and the confusion matrix included) is under 20 px.
"""

from __future__ import annotations

import pytest
from PySide6 import QtCore
from readability import problems, text_sizes

from visualnn.presets import PRESETS
from visualnn.ui.docks import DOCKS

SIZES = {"1280": (1280, 720), "1920": (1920, 1080)}
MIN_PRESENT_PX = 20.0


def settle(qtbot, window) -> None:
    """Let layouts, the toolbar's fit and the frame clock catch up, then paint once (painted
    text reports its size while painting)."""
    from visualnn.ui.pacing import frame_clock

    for _ in range(3):
        qtbot.wait(30)
        frame_clock().tick()
    window.grab()


def open_at(qtbot, make_window, preset: str, size: tuple[int, int]):
    window = make_window(preset)
    window.resize(*size)
    qtbot.wait(20)
    window.reset_layout()
    window.resize(*size)
    settle(qtbot, window)
    return window


def cards_under_the_fit_button(window) -> list[str]:
    """Graph cards the Fit button (bottom right of the graph) would hide in part."""
    view = window.graph_view
    if view.fit_button.isHidden():  # shown only once the user has zoomed
        return []
    button = QtCore.QRectF(view.fit_button.geometry())
    hidden = []
    for node in view.graph.chain():
        card = view.mapFromScene(node.mapRectToScene(node.card_rect())).boundingRect()
        if QtCore.QRectF(card).intersects(button):
            hidden.append(node.text().splitlines()[0])
    return hidden


def report(found) -> str:
    return "\n".join(str(p) for p in found)


def map_px(view) -> float:
    """On-screen side of the smallest neuron map in the graph."""
    sides = [n.radius * 2 for node in view.graph.chain() for n in node.neurons]
    return min(sides) * view.transform().m11()


def test_a_projector_gives_the_neuron_maps_the_graphs_height(qtbot, make_window, themed):
    """xor at 1280x720: no strip is kept for a Fit button that has nothing to do (it shows
    once the user zooms), and the lines under the cards give way to the maps (16.4 px
    before, text 14 px or more); at 1920x1080 the maps are large enough with the
    activation still written on the card."""
    from visualnn.ui.graph.view import MIN_TEXT_PX

    window = open_at(qtbot, make_window, "xor", SIZES["1280"])
    view = window.graph_view
    assert map_px(view) >= 22.0
    assert view.text_px() >= MIN_TEXT_PX
    assert view.fit_button.isHidden()
    card = view.graph.nodes[0]
    assert "Tanh" not in card.text() and "Tanh" in card.toolTip()  # left off, not lost
    assert "params" in card.toolTip()
    window.resize(*SIZES["1920"])
    settle(qtbot, window)
    assert map_px(view) >= 38.0
    assert "Tanh" in view.graph.nodes[0].text()
    view.zoom(1.3)  # zoomed: the Fit button is the way back, and so is View > Fit (Ctrl+0)
    assert not view.fit_button.isHidden() and not view.auto_fit
    fit = window.actions["fit_network"]
    assert fit.shortcut().toString() == "Ctrl+0"
    fit.trigger()
    assert view.auto_fit and view.fit_button.isHidden()


def test_a_network_fitted_to_the_width_gives_its_spare_height_to_the_views(
    qtbot, make_window, themed
):
    """digits-cnn at 1920x1080 is a long row of cards fitted to the width: the height it
    leaves empty goes to the views (its feature maps), once; a split the user drags stays."""
    window = open_at(qtbot, make_window, "digits-cnn", SIZES["1920"])
    view, dock = window.graph_view, window.docks[window.views.views[0]]
    scale = view.transform().m11()
    assert dock.height() > 0.47 * 1080 + 60  # 507 px without the hand-over
    assert view.spare_height() <= 16
    window.resizeDocks([dock], [450], QtCore.Qt.Vertical)
    settle(qtbot, window)
    view.fit()
    settle(qtbot, window)
    assert abs(dock.height() - 450) <= 4
    # the taller graph draws its cards no larger: the height handed over was spare
    assert abs(view.transform().m11() - scale) < 1e-6
    xor = open_at(qtbot, make_window, "xor", SIZES["1920"])  # fitted to the height: none spare
    assert abs(xor.docks[xor.views.views[0]].height() - 0.47 * 1080) < 12
    # the open window laid out again for a CNN, its graph's size unchanged: still handed over
    xor.session.load_preset("digits-cnn")
    xor.reset_layout()
    settle(qtbot, xor)
    assert xor.docks[xor.views.views[0]].height() > 0.47 * 1080 + 60


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_nothing_is_cut_off_for_any_preset(qtbot, make_window, themed, preset, size):
    window = open_at(qtbot, make_window, preset, SIZES[size])
    assert window.size().toTuple() == SIZES[size]
    found = problems(window)
    assert not found, f"{preset} at {size}:\n{report(found)}"
    assert not cards_under_the_fit_button(window)
    window.presentation.set_on(True, full_screen=False)
    settle(qtbot, window)
    found = problems(window)
    assert not found, f"{preset} presented at {size}:\n{report(found)}"
    assert not cards_under_the_fit_button(window)
    if size == "1280":
        sizes = sorted(text_sizes(window))
        assert sizes and sizes[0][0] >= MIN_PRESENT_PX - 0.5, (
            f"{preset}: smallest text presenting at 1280x720: {sizes[:5]}"
        )
    window.presentation.set_on(False)


@pytest.mark.parametrize(
    ("preset", "points"), [("xor", 12), ("digits-cnn", 12), ("sounds-cnn", 12), ("digits-cnn", 16)]
)
def test_every_panel_and_view_is_whole_at_1280x720(qtbot, make_window, themed, preset, points):
    """Each dock in turn through the switcher, as a teacher reaches them; with Huge text too
    (View > Text size, changed live)."""
    window = open_at(qtbot, make_window, preset, SIZES["1280"])
    window.appearance.set_text_size(points)
    found = []
    for spec in DOCKS:
        window.views.set_shown(spec.key)
        if spec.key == "neuron":
            window.session.inspect.select(0, (0,))
        settle(qtbot, window)
        assert window.docks[spec.key].isVisible()
        found += [f"{spec.key}: {p}" for p in problems(window)]
    assert not found, "\n".join(found)


def test_the_walk_sees_a_cut_button_and_small_text(qtbot, make_window, themed):
    """The checks can fail: a squeezed button and a tiny label are reported."""
    from PySide6 import QtWidgets

    window = open_at(qtbot, make_window, "xor", SIZES["1280"])
    panel = window.docks["training"].widget().widget()
    button = QtWidgets.QPushButton("A button with far too many words on it", panel)
    button.setGeometry(10, 10, 60, 30)
    button.show()
    tiny = QtWidgets.QLabel("tiny", panel)
    tiny.setStyleSheet("font-size: 8px;")
    tiny.show()
    settle(qtbot, window)
    kinds = {p.kind for p in problems(window)}
    assert "button cut" in kinds
    assert min(px for px, _ in text_sizes(window)) <= 8


def test_window_opens_within_the_available_screen(qtbot):
    from visualnn.ui.main_window import MainWindow

    window = MainWindow(confirm=lambda p: "discard", restore=False)
    qtbot.addWidget(window)
    area = window.screen().availableGeometry()
    assert window.width() <= area.width() and window.height() <= area.height()
    window.force_close = True
    window.close()


def test_an_error_message_keeps_the_form_readable(qtbot, make_window, themed):
    """A long engine error above the layer form: the form scrolls down, its fields keep
    their width, nothing is cut."""
    window = open_at(qtbot, make_window, "digits-cnn", SIZES["1280"])
    window.views.set_shown("inspector")
    window.session.inspect.select(2)  # the second Conv2D, on a 4x4 map
    inspector = window.docks["inspector"].widget().widget()
    settle(qtbot, window)
    widths = {k: f.widget.width() for k, f in inspector.fields.items()}
    doc = window.session.project.document
    doc.set_option(2, "padding", "valid")
    doc.set_option(2, "kernel_size", 7)  # fits alone, not on a 4x4 map
    settle(qtbot, window)
    assert inspector.error_label.isVisible() and "kernel" in inspector.error_label.text()
    assert {k: f.widget.width() for k, f in inspector.fields.items()} == widths
    assert not problems(window)
