"""The colour sets the app can wear: dark (the default), light, and high contrast.

Every colour a widget, view or graph item uses has a role here, so switching the theme is a
matter of swapping one table (``restyle.apply``): nothing else hard-codes a colour. High
contrast is the projector's theme (presentation mode): pure black and white, brighter
series, no mid-grey text, which a washed-out projector turns into nothing.
"""

from __future__ import annotations

#: Roles every theme defines; ``theme`` exposes each as a module attribute of that name.
ROLES = (
    "BACKGROUND",  # window and graph background
    "PANEL",  # cards, fields, plot-free panels
    "FOREGROUND",  # text
    "MUTED",  # secondary text
    "ACCENT",  # selection, links, focus
    "POSITIVE",  # positive weights / activations (warm)
    "NEGATIVE",  # negative weights / activations (cool)
    "ERROR",
    "WARNING",
    "OK",
    "BUTTON",  # button faces
    "ALTERNATE",  # alternate rows
    "DISABLED",  # disabled text
    "BORDER",  # card outlines, separators
    "ART_LINE",  # strokes of the little pictures in layer cards
    "ART_FILL",  # fills of those pictures
    "ART_GRID",  # faint grid lines inside them
    "ERROR_PANEL",  # background of an error banner
    "ON_ACCENT",  # text on an accent-coloured button
)

#: Series colours (train, validation, batch trace, ...) per theme: told apart when
#: projected and with the common colour-vision deficiencies.
SERIES = {
    "dark": ["#4fa3ff", "#f2a33a", "#5fd38d", "#e06cc4", "#c8c8c8"],
    "light": ["#1f6fd1", "#d9731a", "#1e8e4e", "#b0419a", "#6b7280"],
    "contrast": ["#38b6ff", "#ffb000", "#4cff8a", "#ff6ef0", "#ffffff"],
}

THEMES: dict[str, dict[str, str]] = {
    "dark": {
        "BACKGROUND": "#14161b",
        "PANEL": "#1d2027",
        "FOREGROUND": "#e8eaf0",
        "MUTED": "#9aa3b2",
        "ACCENT": "#4fa3ff",
        "POSITIVE": "#f2a33a",
        "NEGATIVE": "#3aa0f2",
        "ERROR": "#ff5c5c",
        "WARNING": "#ffb347",
        "OK": "#5fd38d",
        "BUTTON": "#2a2e38",
        "ALTERNATE": "#252933",
        "DISABLED": "#6b7280",
        "BORDER": "#3a404d",
        "ART_LINE": "#c4cad6",
        "ART_FILL": "#2c3240",
        "ART_GRID": "#56607a",
        "ERROR_PANEL": "#2a1d22",
        "ON_ACCENT": "#000000",
    },
    "light": {
        "BACKGROUND": "#f3f4f7",
        "PANEL": "#ffffff",
        "FOREGROUND": "#161a22",
        "MUTED": "#4f5766",
        "ACCENT": "#1664c9",
        "POSITIVE": "#d9731a",
        "NEGATIVE": "#1f78d1",
        "ERROR": "#c4262e",
        "WARNING": "#a35f00",
        "OK": "#1e8e4e",
        "BUTTON": "#e4e7ed",
        "ALTERNATE": "#eceef2",
        "DISABLED": "#9aa1ad",
        "BORDER": "#b9bfca",
        "ART_LINE": "#3b4352",
        "ART_FILL": "#e6e9ef",
        "ART_GRID": "#a3abb9",
        "ERROR_PANEL": "#fde8e8",
        "ON_ACCENT": "#ffffff",
    },
    "contrast": {
        "BACKGROUND": "#000000",
        "PANEL": "#0d0d0d",
        "FOREGROUND": "#ffffff",
        "MUTED": "#e0e0e0",
        "ACCENT": "#ffe600",
        "POSITIVE": "#ffa800",
        "NEGATIVE": "#2ec4ff",
        "ERROR": "#ff4040",
        "WARNING": "#ffc400",
        "OK": "#3dff7a",
        "BUTTON": "#262626",
        "ALTERNATE": "#1a1a1a",
        "DISABLED": "#9a9a9a",
        "BORDER": "#ffffff",
        "ART_LINE": "#ffffff",
        "ART_FILL": "#1f1f1f",
        "ART_GRID": "#9a9a9a",
        "ERROR_PANEL": "#3a0000",
        "ON_ACCENT": "#000000",
    },
}

#: What the View menu calls them.
TITLES = {"dark": "Dark", "light": "Light", "contrast": "High contrast"}


def stylesheet(c: dict[str, str], base_px: int) -> str:
    """The application style sheet for colours ``c`` and text of ``base_px`` pixels.

    Sizes of frames and indicators follow the text, so large text does not sit in tiny
    check boxes.
    """
    box = max(16, round(base_px * 0.9))
    pad = max(4, round(base_px * 0.3))
    return (
        f"QToolTip {{ color: {c['FOREGROUND']}; background: {c['PANEL']};"
        f" border: 1px solid {c['MUTED']}; }}"
        f"QPushButton, QToolButton {{ padding: {pad}px {2 * pad}px; }}"
        f"QToolBar {{ background: {c['PANEL']}; border: none; spacing: 2px;"
        f" padding: 2px {pad}px; }}"
        f"QToolBar QToolButton {{ padding: {pad // 2}px 2px; border-radius: 4px;"
        " border: 1px solid transparent; }"
        f"QToolBar QToolButton:checked {{ background: {c['ACCENT']}; color: {c['ON_ACCENT']}; }}"
        # Fusion's check boxes are dark-on-dark with a dark palette: draw them ourselves.
        f"QCheckBox::indicator {{ width: {box}px; height: {box}px;"
        f" border: 2px solid {c['MUTED']}; border-radius: 3px; background: {c['PANEL']}; }}"
        f"QCheckBox::indicator:checked {{ background: {c['ACCENT']};"
        f" border-color: {c['ACCENT']}; }}"
    )
