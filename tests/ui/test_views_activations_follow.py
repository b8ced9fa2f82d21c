"""The Activations view brings a newly selected layer into sight on a small screen."""

import pytest

from visualnn.ui.pacing import frame_clock


def _draw(qtbot, window):
    for _ in range(3):
        qtbot.wait(30)
        frame_clock().tick()


def test_selecting_a_deep_layer_scrolls_its_activations_into_sight(make_window, qtbot):
    window = make_window("digits-cnn")  # 1280x720: room for the input and one layer
    window.views.set_shown("activations")
    view = window.docks["activations"].widget()
    view = getattr(view, "widget", lambda: view)()
    _draw(qtbot, window)
    bar = view.scroll.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0  # the last layers are below the fold
    window.session.inspect.select(4)  # the dense output layer, clicked in the graph
    _draw(qtbot, window)
    tile = view._tiles[5]
    top = tile.mapTo(view.scroll.viewport(), tile.rect().topLeft()).y()
    assert bar.value() > 0 and 0 <= top < view.scroll.viewport().height()
    # a redraw with the same selection leaves the reader's own scrolling alone
    bar.setValue(0)
    window.session.inspect.weights_updated.emit()
    _draw(qtbot, window)
    assert bar.value() == 0


@pytest.mark.parametrize("presenting", [False, True])
def test_a_projector_shows_the_first_feature_maps_without_scrolling(
    make_window, qtbot, themed, presenting
):
    """At 1280x720 the digits CNN's Activations dock shows the input and a full row of the
    first convolution's maps: what changes as it learns is on screen, not below the fold;
    also presenting, with its larger text."""
    window = make_window("digits-cnn")
    if presenting:
        window.presentation.set_on(True, full_screen=False)
    window.views.set_shown("activations")
    view = window.docks["activations"].widget()
    view = getattr(view, "widget", lambda: view)()
    _draw(qtbot, window)
    conv = view._tiles[1]
    first_map = conv._cells[0][0]
    bottom = conv.mapTo(view.scroll.viewport(), first_map.bottomLeft().toPoint()).y()
    assert view.scroll.verticalScrollBar().value() == 0
    assert 0 < bottom <= view.scroll.viewport().height()


def _laid_tile(qtbot, shape: tuple, width: int):
    """A titleless ``LayerTile`` of zeros of ``shape``, laid out ``width`` px wide."""
    import numpy as np

    from visualnn.ui.views.tiles import LayerTile

    tile = LayerTile(titled=False)
    qtbot.addWidget(tile)
    tile.set_values(np.zeros(shape, np.float32))
    tile._layout(width)
    return tile


def test_wide_feature_maps_take_rows_as_tall_as_they_are(qtbot):
    square, log_mel = (_laid_tile(qtbot, s, 400) for s in ((4, 40, 40), (4, 40, 101)))
    # four 40 x 101 maps drawn 90 px wide are 36 px tall: no square cells of empty rows
    assert log_mel.height() < 0.6 * square.height()


def test_one_image_is_a_feature_map_row_tall_and_as_wide_as_its_shape(qtbot):
    """The input of a CNN stays short, so a 1280x720 dock shows the first maps under it."""
    from visualnn.ui.views.tiles import IMAGE_HEIGHT

    digit, log_mel = (_laid_tile(qtbot, s, 400) for s in ((1, 8, 8), (1, 40, 101)))
    for tile in (digit, log_mel):
        assert tile.height() <= IMAGE_HEIGHT + 16
    digit_rect, log_mel_rect = digit._cells[0][0], log_mel._cells[0][0]
    assert digit_rect.height() == log_mel_rect.height() == IMAGE_HEIGHT
    assert digit_rect.width() == IMAGE_HEIGHT
    assert abs(log_mel_rect.width() / log_mel_rect.height() - 101 / 40) < 1e-6
    narrow = _laid_tile(qtbot, (1, 40, 101), 150)  # a narrow dock: it shrinks to its width
    assert narrow._cells[0][0].width() <= 142


def test_a_tiny_unit_value_reads_0_00_in_its_cell_not_an_exponent():
    from visualnn.ui.views.tiles import cell_text

    assert cell_text(5.5e-5) == "0.00" and cell_text(-0.98) == "\u22120.98"
    assert cell_text(0.0062) == "0.01"  # not 6.2e-03, which does not fit the cell
    assert cell_text(float("nan")) == "nan"  # still said, in the reserved colour
