"""The main window: wires the session, training, files and docks to menus and shortcuts.

Nothing here computes anything; each part lives in its own module (``session``,
``training_control``, ``files``, ``export_actions``, ``docks``, the panels and views).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import icons
from visualnn.ui.appearance import Appearance
from visualnn.ui.docks import build_docks, content
from visualnn.ui.export_actions import ExportActions
from visualnn.ui.files import ProjectFiles
from visualnn.ui.graph.view import GraphView
from visualnn.ui.keys import SpaceToPlay
from visualnn.ui.live_audio import LiveAudio
from visualnn.ui.live_input import LiveInput
from visualnn.ui.menus import build_menu_bar
from visualnn.ui.model.project_state import SPEEDS
from visualnn.ui.model.session import Session
from visualnn.ui.panels.data import DataPanel
from visualnn.ui.panels.microphone import MicrophonePanel
from visualnn.ui.panels.sound_classes import SoundClassesPanel, default_store_dir
from visualnn.ui.panels.training import TrainingPanel
from visualnn.ui.panels.training_controls import Banner
from visualnn.ui.presentation import Presentation
from visualnn.ui.settings import settings
from visualnn.ui.switcher import ViewSwitcher, fit_to_screen
from visualnn.ui.toolbar import MainToolBar
from visualnn.ui.training_control import TrainingController

LAYOUT_VERSION = 2  # bump when the docks change so old saved layouts are ignored
PLAY_TEXT, PAUSE_TEXT = "Play", "Pause"
OPEN_SIZE = (1600, 900)  # at most: never larger than the screen's available area


class MainWindow(QtWidgets.QMainWindow):
    """The visualnn window on one ``Session``.

    Parameters
    ----------
    session : Session, optional
        A fresh one (empty) if not given; ``run`` loads the demo preset into it.
    confirm : callable, optional
        Replaces the unsaved-changes question (tests).
    restore : bool
        Restore the saved geometry and dock layout.
    """

    def __init__(
        self,
        session: Session | None = None,
        confirm=None,
        restore: bool = True,
        store_dir=None,
    ):
        super().__init__()
        self.setWindowTitle("visualnn")
        self.session = session or Session(self)
        self.controller = TrainingController(self.session, self)
        #: The window's one sound: the Microphone dock, Sound classes and the live input
        #: all read it; one stream is open.
        self.live_audio = LiveAudio(self)
        self.live_input = LiveInput(self.session, self.live_audio, self)
        self.files = ProjectFiles(self.session, self.controller, self, confirm=confirm)
        self.force_close = False  # headless --quit: no unsaved-changes question
        self.actions: dict[str, QtGui.QAction] = {}
        self.exports = ExportActions(self)
        self._make_actions()

        self._build_centre()
        self._build_docks(store_dir or default_store_dir())
        self.appearance = Appearance(self)
        self.views = ViewSwitcher(self, self.docks)
        self.graph_view.fitted.connect(
            lambda: self.views.give_spare_height(self.graph_view.spare_height())
        )
        # A new arrangement that leaves the graph's size as it was brings no resize, hence
        # no fit: fit once the docks are placed, so the spare height is handed over anyway.
        self.views.changed.connect(self._on_views_changed)
        self._build_toolbar()
        build_menu_bar(
            self.menuBar(),
            self.actions,
            self.files,
            self.views,
            self.appearance,
            self.exports.dock_png,
        )
        fit_to_screen(self, *OPEN_SIZE)
        self.reset_layout()
        if restore:
            self.restore_layout()
        self._connect()

    # --- building -------------------------------------------------------------------------
    def _build_centre(self) -> None:
        """The network graph in the middle, under the banner; docks take the corners."""
        self.banner = Banner()
        self.graph_view = GraphView(self.session)
        central = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.banner)
        box.addWidget(self.graph_view, 1)
        self.setCentralWidget(central)
        self.setCorner(QtCore.Qt.BottomRightCorner, QtCore.Qt.RightDockWidgetArea)
        self.setCorner(QtCore.Qt.TopRightCorner, QtCore.Qt.RightDockWidgetArea)
        self.setDockNestingEnabled(True)

    def _build_docks(self, store_dir) -> None:
        """The panels made here (they need the window's parts) and every view's dock."""
        self.training_panel = TrainingPanel(self.session, self.controller, self.actions)
        made = {
            "data": DataPanel(self.session, self.live_input, store_dir),
            "training": self.training_panel,
            "microphone": MicrophonePanel(live=self.live_audio),
            "sounds": SoundClassesPanel(
                self.session, self.controller, self.live_audio, self.live_input, store_dir
            ),
        }
        self.docks = build_docks(self, self.session, made)
        content(self.docks["recurrent"]).wants_showing.connect(self._on_recurrent_wants_showing)

    def _build_toolbar(self) -> None:
        """The toolbar, presentation mode (which hides it and the menus) and Space to play."""
        a = self.actions
        self.toolbar = MainToolBar([a["play"], a["step_batch"], a["step_epoch"]], self.views,
                                   a["present"], self)  # fmt: skip
        self.addToolBar(QtCore.Qt.TopToolBarArea, self.toolbar)
        self.presentation = Presentation(self, self.views, self.toolbar, self.appearance)
        self.presentation.toggled.connect(self._on_presentation_toggled)
        self.space = SpaceToPlay(self)

    def _connect(self) -> None:
        s = self.session
        s.inspect.training_state_changed.connect(self._on_session_training_state_changed)
        s.inspect.selection_changed.connect(self._on_session_selection_changed)
        s.project.modified_changed.connect(self._update_title)
        s.project.dataset_changed.connect(self._on_project_dataset_changed)
        s.project.document.undo_stack.cleanChanged.connect(self._update_title)
        self.files.path_changed.connect(self._update_title)
        self.files.message.connect(self.banner.show_message)
        self.live_input.live_changed.connect(self._on_live_input_changed)
        self.live_input.refused.connect(self._on_live_input_refused)
        self._on_session_training_state_changed(s.inspect.training_state)
        self._update_title()
        app = QtWidgets.QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._on_app_focus_changed)

    # --- actions --------------------------------------------------------------------------
    def _action(self, key, text, slot, shortcut=None, tip=None) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QtGui.QKeySequence(shortcut))
            action.setShortcutContext(QtCore.Qt.WindowShortcut)
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.actions[key] = action
        self.addAction(action)  # shortcuts work while the menu bar is hidden too
        return action

    def _make_actions(self) -> None:
        c, f, K = self.controller, self.files, QtGui.QKeySequence
        self._action("play", PLAY_TEXT, c.toggle, QtCore.Qt.Key_Space, "Start or pause training")
        self._action("step_batch", "Step", c.step_batch, "Ctrl+Right", "Train one batch")
        self._action(
            "step_epoch",
            "Step epoch",
            c.step_epoch,
            "Ctrl+Shift+Right",
            "Train to the end of this epoch",
        )
        self._action(
            "reset",
            "Reset",
            c.reset,
            "Ctrl+R",
            "Forget the training: new random weights from the seed",
        )
        self._action("slower", "Slower", lambda: self._change_speed(+1), "-",
                     "Slow motion: one step slower")  # fmt: skip
        self._action("faster", "Faster", lambda: self._change_speed(-1), "+",
                     "One step faster, up to as fast as possible")  # fmt: skip
        self.actions["faster"].setShortcuts([K("+"), K("=")])
        self._action("open", "&Open\u2026", lambda: f.open(), K.Open)
        self._action("save", "&Save", f.save, K.Save)
        self._action("save_as", "Save &As\u2026", lambda: f.save_as(), K.SaveAs)
        x = self.exports
        self._action("export_window", "Export window as PNG\u2026", x.window_png)
        self._action("export_csv", "Export training history as CSV\u2026", x.history_csv)
        self._action("export_model", "Export model (ONNX, PyTorch)\u2026", x.model)
        self._action("export_sounds", "Export sounds as WAV folder\u2026", x.sounds)
        self._action("quit", "&Quit", self.close, K.Quit)
        self._action("reset_layout", "Reset layout", self.reset_layout)
        # The graph's Fit button shows only after a zoom; the menu and key always work.
        self._action("fit_network", "Fit the network", lambda: self.graph_view.fit(), "Ctrl+0",
                     "Show the whole network, fitted to its room (after zooming)")  # fmt: skip
        present = self._action(
            "present",
            "Present",
            self._on_present_action_triggered,
            QtCore.Qt.Key_F5,
            "Presentation mode (F5): large high-contrast text, the network and two views",
        )
        present.setCheckable(True)
        end = self._action("end_present", "End presentation", self._end_presentation, "Esc")
        end.setEnabled(False)  # Esc means nothing else until presenting
        for key, name in (("play", "play"), ("step_batch", "step"), ("step_epoch", "step-epoch"),
                          ("reset", "reset"), ("present", "present")):  # fmt: skip
            icons.set_icon(self.actions[key], name)
        live = self._action(
            "live",
            "Live input",
            self._on_live_action_triggered,
            QtCore.Qt.Key_L,
            "The network hears the sound source live (a sound data set is needed)",
        )
        live.setCheckable(True)
        stack = self.session.project.document.undo_stack
        self.actions["undo"] = stack.createUndoAction(self, "&Undo")
        self.actions["undo"].setShortcut(K.Undo)
        self.actions["redo"] = stack.createRedoAction(self, "&Redo")
        self.actions["redo"].setShortcuts([K("Ctrl+Shift+Z"), K.Redo])

    def _change_speed(self, step: int) -> None:
        """Move along the teaching speeds: +1 slower, -1 faster."""
        keys = list(SPEEDS)
        project = self.session.project
        i = min(max(keys.index(project.speed) + step, 0), len(keys) - 1)
        project.set_speed(keys[i])
        self.banner.show_message(f"Speed: {SPEEDS[keys[i]][0]}.", "info")

    # --- layout ---------------------------------------------------------------------------
    def restore_layout(self) -> None:
        """The size and the shown panels and views of the last run, within this screen."""
        s = settings()
        geometry = s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
            fit_to_screen(self)  # saved on a larger screen: still all of it on this one
        if int(s.value("window/layout_version", 0) or 0) == LAYOUT_VERSION:
            self.views.restore(s)

    def save_layout(self) -> None:
        s = settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/layout_version", LAYOUT_VERSION)
        self.views.save(s)
        s.sync()

    def _on_views_changed(self) -> None:
        if self.graph_view.auto_fit:  # never undo the user's own zoom
            QtCore.QTimer.singleShot(0, self, self._fit_graph)

    def _fit_graph(self) -> None:
        if self.graph_view.auto_fit and self.views.spare_pending:  # not done by a resize
            self.layout().activate()  # the docks' new sizes first: the fit measures its room
            self.graph_view.fit()

    def reset_layout(self) -> None:
        """The default panels and views for this window size and the current data."""
        model = self.session.inspect.model
        recurrent = model is not None and any(
            layer.config()["type"] in ("rnn", "gru", "lstm") for layer in model.layers
        )
        self._laid_out_for = two_d, sound = self._data_kind()
        self.views.set_state(*self.views.defaults(two_d, recurrent, sound))

    def _data_kind(self) -> tuple[bool, bool]:
        """(2-D points?, sound?): what decides which views can show anything."""
        ds = self.session.project.dataset
        two_d = ds is None or tuple(ds.input_shape) == (2,)
        return two_d, getattr(ds, "transform", None) is not None

    def _on_project_dataset_changed(self) -> None:
        # Another kind of data (a sound project opened over xor): the boundary or the sound
        # panels would show nothing useful, so the views suited to it come up instead.
        if self._data_kind() != self._laid_out_for:
            self.reset_layout()

    # --- recovery -------------------------------------------------------------------------
    def offer_recovery(self) -> bool:
        """Show the Recover / Discard banner if the last run did not exit cleanly."""
        path = self.files.pending_recovery()
        if path is None:
            return False
        when = QtCore.QDateTime.fromSecsSinceEpoch(int(path.stat().st_mtime)).toString()
        self.banner.show_message(
            f"visualnn did not close properly last time. Unsaved work from {when} was kept.",
            "info",
        )
        self.banner.add_button("Recover", self._on_banner_recover_clicked)
        self.banner.add_button("Discard", self._on_banner_discard_clicked)
        return True

    def _on_banner_recover_clicked(self) -> None:
        self.banner.hide()
        self.files.recover()

    def _on_banner_discard_clicked(self) -> None:
        self.banner.hide()
        self.files.discard_recovery()

    # --- state ----------------------------------------------------------------------------
    def _on_app_focus_changed(self, old, now) -> None:
        # Inside the microphone panel Space starts/stops listening (its own shortcut); two
        # shortcuts on one key would cancel each other out, so Play lets go of it there.
        mic = self.docks.get("microphone")
        inside = mic is not None and now is not None and mic.isAncestorOf(now)
        play = self.actions["play"]
        wanted = QtGui.QKeySequence() if inside else QtGui.QKeySequence(QtCore.Qt.Key_Space)
        if play.shortcut() != wanted:
            play.setShortcut(wanted)

    def _on_live_input_refused(self, text: str) -> None:
        self.actions["live"].setChecked(False)
        self.banner.show_message(text, "warning")

    def _on_recurrent_wants_showing(self) -> None:
        self.views.set_shown("recurrent")

    def _on_live_action_triggered(self, checked: bool) -> None:
        self.live_input.set_live(checked)

    def _on_live_input_changed(self, on: bool) -> None:
        self.actions["live"].setChecked(on)

    def _on_session_selection_changed(self) -> None:
        # A clicked unit shows its arithmetic, a clicked layer its settings: otherwise a
        # click on a neuron looks as if it did nothing.
        self.views.follow(self.session.inspect.selection)

    def _on_session_training_state_changed(self, state: str) -> None:
        running = state == "running"
        self.actions["play"].setText(PAUSE_TEXT if running else PLAY_TEXT)
        icons.set_icon(self.actions["play"], "pause" if running else "play")

    def _on_present_action_triggered(self, checked: bool) -> None:
        self.presentation.set_on(checked)

    def _end_presentation(self) -> None:
        self.presentation.set_on(False)

    def _on_presentation_toggled(self, on: bool) -> None:
        self.actions["present"].setChecked(on)
        self.actions["present"].setText("End presentation" if on else "Present")
        icons.set_icon(self.actions["present"], "exit" if on else "present")
        self.actions["end_present"].setEnabled(on)

    def _update_title(self, *_) -> None:
        name = self.files.path.name if self.files.path else "untitled"
        self.setWindowTitle(f"{name}[*] \u2014 visualnn")
        self.setWindowModified(self.session.project.modified)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.force_close and not self.files.maybe_discard():
            event.ignore()
            return
        self.controller.shutdown()  # at once, even inside a long batch
        self.live_input.set_live(False)
        self.live_audio.stop()
        content(self.docks["data"]).sound_box.shutdown()
        self.save_layout()
        self.files.mark_clean_exit()
        event.accept()
