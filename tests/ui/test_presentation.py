"""Presentation mode and live looks: F5 and back, text size and theme changed while running."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets

from visualnn.ui import icons
from visualnn.ui.docks import content


def px(widget) -> int:
    return QtGui.QFontInfo(widget.font()).pixelSize()


def test_f5_presents_the_network_and_two_views_and_esc_gives_everything_back(
    qtbot, make_window, themed
):
    window = make_window("digits-cnn")
    before = window.views.state()
    assert before[0] == ["training"] and window.menuBar().isVisible()
    window.actions["present"].trigger()  # F5
    qtbot.waitUntil(lambda: window.presentation.on, timeout=2000)
    assert themed.NAME == "contrast" and themed.MIN_POINT_SIZE >= 15
    assert not window.menuBar().isVisible()
    assert window.views.panels == [] and len(window.views.views) == 2
    assert not window.docks["training"].isVisible() and window.docks["plots"].isVisible()
    assert not any(a.isVisible() for a in window.toolbar.panels)  # no panel buttons
    assert window.actions["end_present"].isEnabled()
    play = window.toolbar.widgetForAction(window.actions["play"])
    assert play.iconSize().height() >= 30 and px(play) >= 20  # big Play
    window.actions["end_present"].trigger()  # Esc
    qtbot.waitUntil(lambda: not window.presentation.on, timeout=2000)
    assert themed.NAME == "dark" and themed.MIN_POINT_SIZE == 0
    assert window.menuBar().isVisible() and window.views.state() == before
    assert all(a.isVisible() for a in window.toolbar.panels)
    assert not window.actions["end_present"].isEnabled()


def test_presenting_remembers_the_chosen_views(qtbot, make_window, themed):
    window = make_window("xor")
    window.presentation.set_on(True, full_screen=False)
    assert window.views.views == ["plots", "boundary"]  # the first time: loss and a picture
    window.views.set_shown("weights")  # replaces the view shown longest ago
    assert window.views.views == ["boundary", "weights"]
    chosen = list(window.views.views)
    window.presentation.set_on(False)
    window.presentation.set_on(True, full_screen=False)
    assert window.views.views == chosen
    window.presentation.set_on(False)


def test_text_size_changes_live_everywhere(qtbot, make_window, themed):
    window = make_window("xor")
    window.views.set_shown("plots")
    title = window.docks["training"].titleBarWidget()
    progress = window.training_panel.progress
    axis = content(window.docks["plots"]).loss_plot.getAxis("left")
    before = (px(title), px(progress), QtGui.QFontInfo(axis.style["tickFont"]).pixelSize())
    window.appearance.set_text_size(16)  # View > Text size > Huge, no restart
    qtbot.wait(20)
    after = (px(title), px(progress), QtGui.QFontInfo(axis.style["tickFont"]).pixelSize())
    assert all(b > a for a, b in zip(before, after, strict=True)), (before, after)
    assert QtWidgets.QApplication.font().pointSizeF() == 16
    cards = window.graph_view.graph.chain()
    assert cards[0].text_scale > 0 and cards[0]._title.font().pointSizeF() >= 16
    window.appearance.set_text_size(12)
    assert (px(title), px(progress)) == before[:2]


def test_theme_changes_live_colours_plots_and_icons(qtbot, make_window, themed):
    from visualnn.ui.themes import THEMES

    window = make_window("xor")
    window.appearance.set_theme("light")
    light = THEMES["light"]
    app = QtWidgets.QApplication.instance()
    assert app.palette().color(QtGui.QPalette.Window).name() == light["BACKGROUND"]
    plot = content(window.docks["plots"]).loss_widget
    assert isinstance(plot, pg.PlotWidget)
    assert plot.backgroundBrush().color().name() == light["BACKGROUND"]
    assert light["MUTED"] in window.training_panel.speed.styleSheet()
    image = icons.icon("play").pixmap(32).toImage()
    assert image.pixelColor(16, 16).name() == light["FOREGROUND"]
    window.appearance.set_theme("dark")
    assert app.palette().color(QtGui.QPalette.Window).name() == THEMES["dark"]["BACKGROUND"]


def test_the_choice_is_remembered(qtbot, themed):
    from visualnn.ui.appearance import Appearance, saved_choice

    first = Appearance()
    first.set_theme("contrast")
    first.set_text_size(14)
    assert saved_choice() == ("contrast", 14)
    first.set_theme("dark")
    first.set_text_size(12)
