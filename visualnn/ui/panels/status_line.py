"""The microphone panel's status: what the sound source is doing, in words a class can read.

One coloured sentence for the state (listening, stopped, stalled, silent, error) with a
Reconnect button when a microphone stalls, and a second line when no microphone can be used
at all, naming what is missing and the command that fixes it.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from visualnn.ui import theme

#: Colour role of each state's sentence (see ``theme``).
STATE_COLOURS = {
    "running": "OK",
    "stopped": "MUTED",
    "stalled": "WARNING",
    "silent": "WARNING",
    "error": "ERROR",
}


def status_sentence(state: str, message: str, what: str) -> str:
    """The status line for ``state`` of source ``what`` with the source's ``message``."""
    sentence = message[:1].upper() + message[1:]  # not capitalize(): keeps "Linux", "USB"
    return {
        "running": f"Listening to {what}" + (f" ({message})" if message else ""),
        "stopped": f"Stopped: {what}. Press Start or Space." + (f" {sentence}." if message else ""),
        "stalled": "The microphone stopped delivering sound. Press Reconnect.",
    }.get(state, sentence)


class StatusLine(QtWidgets.QWidget):
    """State sentence + Reconnect button, and the "no microphone" note under them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QtWidgets.QLabel()
        theme.set_font(self.label, 1.1)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.reconnect_button = QtWidgets.QPushButton("Reconnect")
        self.reconnect_button.setToolTip("Close the microphone and open it again by name")
        self.reconnect_button.setVisible(False)
        self.mic_note = QtWidgets.QLabel()
        self.mic_note.setWordWrap(True)
        theme.style(self.mic_note, "color: {WARNING};")
        self.mic_note.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.mic_note.setVisible(False)
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.reconnect_button)
        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.mic_note)

    def show_state(self, state: str, message: str, what: str) -> None:
        """Show ``state`` ("running", "stopped", "stalled", "silent", "error")."""
        self.label.setText(status_sentence(state, message, what))
        self.label.setToolTip(message)
        theme.style(self.label, f"color: {{{STATE_COLOURS.get(state, 'FOREGROUND')}}};")
        self.reconnect_button.setVisible(state == "stalled")

    def show_mic_problem(self, problem: str | None) -> None:
        """The one-sentence reason no microphone can be used (with its fix), or None."""
        self.mic_note.setText(f"No microphone: {problem}." if problem else "")
        self.mic_note.setVisible(bool(problem))
