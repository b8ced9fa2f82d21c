"""The dataset at a glance, a sample picker, and a canvas to draw your own digit."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import icons, theme
from visualnn.ui.model.catalog import dataset_title
from visualnn.ui.panels.digit_canvas import DigitCanvas
from visualnn.ui.panels.fields import RangeSpinBox
from visualnn.ui.panels.sound_data import SoundDataBox
from visualnn.ui.theme import class_colours
from visualnn.ui.widgets import fixed_plot, is_wide, qimage, set_side_by_side_soon

THUMBS = 40  # test samples shown around the current one


def as_image(x: np.ndarray) -> np.ndarray | None:
    """One sample as a 2-D image ``(H, W)`` if it is one (``(1, H, W)`` or a square ``(n,)``)."""
    x = np.asarray(x)
    if x.ndim == 3 and x.shape[0] == 1:
        return x[0]
    if x.ndim == 2:
        return x
    if x.ndim == 1 and x.size >= 16 and int(np.sqrt(x.size)) ** 2 == x.size:
        side = int(np.sqrt(x.size))
        return x.reshape(side, side)
    return None


def _wrapped_label(size: float, bold: bool = False) -> QtWidgets.QLabel:
    """An empty label in the theme's font at ``size`` times the base size; long text wraps."""
    label = QtWidgets.QLabel()
    theme.set_font(label, size, bold=bold)
    label.setWordWrap(True)
    return label


class ThumbGrid(QtWidgets.QWidget):
    """A page of test-sample thumbnails with their labels; click one to select it."""

    picked = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.images: list[tuple[int, np.ndarray, str]] = []
        self.current = -1
        self.setMinimumSize(120, 90)
        self.setSizePolicy(QtWidgets.QSizePolicy.Expanding, QtWidgets.QSizePolicy.Expanding)

    def set_page(self, images: list[tuple[int, np.ndarray, str]], current: int) -> None:
        self.images, self.current = images, current
        self.update()

    def _rects(self) -> list[QtCore.QRectF]:
        n = max(len(self.images), 1)
        w, h = self.width() - 4, self.height() - 4
        cols = max(1, int(np.ceil(np.sqrt(n * w / max(h, 1)))))
        rows = int(np.ceil(n / cols))
        size = min(w / cols, h / rows)
        return [
            QtCore.QRectF(2 + (k % cols) * size, 2 + (k // cols) * size, size, size)
            for k in range(len(self.images))
        ]

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        p = QtGui.QPainter(self)
        p.setFont(theme.font(0.8, bold=True))
        for rect, (index, img, label) in zip(self._rects(), self.images, strict=True):
            grey = (np.clip(img / max(float(img.max()), 1e-6), 0, 1) * 255).astype(np.uint8)
            rgba = np.stack([grey, grey, grey, np.full_like(grey, 255)], axis=-1)
            inner = rect.adjusted(3, 3, -3, -3)
            p.drawImage(inner, qimage(rgba))
            if inner.width() >= 44:  # small thumbnails: the digit matters more than its label
                p.setPen(QtGui.QColor(theme.ACCENT))
                p.drawText(
                    inner.adjusted(2, 0, 0, 0), QtCore.Qt.AlignLeft | QtCore.Qt.AlignTop, label
                )
            if index == self.current:
                p.setPen(QtGui.QPen(QtGui.QColor(theme.POSITIVE), 3))
                p.drawRect(rect.adjusted(1.5, 1.5, -1.5, -1.5))
        p.end()

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt name)
        for rect, (index, _img, _label) in zip(self._rects(), self.images, strict=True):
            if rect.contains(event.position()):
                self.picked.emit(index)
                return


class DataPanel(QtWidgets.QWidget):
    """Preview of the current dataset, a sample picker and (for digits) a drawing canvas."""

    def __init__(self, session, live_input=None, store_dir=None, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self._rng = np.random.default_rng()
        self.sound_box = SoundDataBox(session, live_input, store_dir)
        self.title = _wrapped_label(1.1, bold=True)
        picker = self._build_sample_picker()
        self.label_text = _wrapped_label(1.1, bold=True)  # a line of its own: never squeezed
        self._build_scatter()
        self.thumbs = ThumbGrid()
        self.thumbs.picked.connect(self._on_thumbs_picked)
        self.summary = _wrapped_label(1.0)
        self._build_canvas_box()
        self._layout = self._lay_out(picker)
        self._connect(session)
        self._on_session_dataset_changed()

    # --- building -------------------------------------------------------------------------
    def _build_sample_picker(self) -> QtWidgets.QHBoxLayout:
        """The sample number with Previous, Next and Random."""
        self.spin = RangeSpinBox()
        self.spin.setAccessibleName("Sample")
        theme.set_font(self.spin, 1.1)
        self.spin.setPrefix("sample ")
        self.spin.setToolTip("Which test sample the views show")
        self.prev_button, self.next_button = QtWidgets.QPushButton(), QtWidgets.QPushButton()
        icons.set_icon(self.prev_button, "previous")
        icons.set_icon(self.next_button, "next")
        self.random_button = QtWidgets.QPushButton("Random")
        picker = QtWidgets.QHBoxLayout()
        for w in (self.spin, self.prev_button, self.next_button, self.random_button):
            theme.set_font(w, 1.05)
            picker.addWidget(w)
        for w in (self.prev_button, self.next_button):
            w.setMaximumWidth(44)
        self.prev_button.setToolTip("Previous test sample")
        self.next_button.setToolTip("Next test sample")
        picker.addStretch(1)
        return picker

    def _build_scatter(self) -> None:
        """A 2-D set's training and test points, the current sample ringed."""
        self.scatter_widget = pg.PlotWidget()
        plot = self.scatter_widget.getPlotItem()
        theme.style_plot(plot)
        fixed_plot(plot, square=True)
        self.train_scatter = pg.ScatterPlotItem(size=7, pen=pg.mkPen("#000000", width=1))
        self.test_scatter = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(None))
        self.test_scatter.sigClicked.connect(self._on_test_scatter_clicked)
        self.current_marker = pg.ScatterPlotItem(
            size=22, brush=pg.mkBrush(None), pen=pg.mkPen(theme.FOREGROUND, width=3)
        )
        for item in (self.train_scatter, self.test_scatter, self.current_marker):
            plot.addItem(item)

    def _build_canvas_box(self) -> None:
        """The canvas to draw a digit on, with its Clear button."""
        self.canvas = DigitCanvas()
        self.canvas.drawn.connect(self._on_canvas_drawn)
        self.clear_button = QtWidgets.QPushButton("Clear")
        theme.set_font(self.clear_button, 1.05)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.canvas_box = QtWidgets.QGroupBox("Draw your own digit")
        theme.set_font(self.canvas_box, 1.0, bold=True)
        box = QtWidgets.QVBoxLayout(self.canvas_box)
        box.addWidget(self.canvas, 1)
        box.addWidget(self.clear_button)

    def _lay_out(self, picker: QtWidgets.QHBoxLayout) -> QtWidgets.QVBoxLayout:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addLayout(picker)
        layout.addWidget(self.label_text)
        layout.addWidget(self.scatter_widget, 3)
        # thumbnails and canvas side by side in a wide dock, stacked in a tall one
        self.digits_row = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.LeftToRight)
        self.digits_row.addWidget(self.thumbs, 3)
        self.digits_row.addWidget(self.canvas_box, 2)
        layout.addLayout(self.digits_row, 6)
        layout.addWidget(self.summary)
        layout.addWidget(self.sound_box)
        return layout

    def _connect(self, session) -> None:
        self.spin.valueChanged.connect(self._on_spin_value_changed)
        # bound methods, not lambdas over ``self``: a closure kept by a child button would put
        # the panel in a reference cycle, freed by the cyclic GC at any moment (even mid-paint)
        self.prev_button.clicked.connect(self._on_prev_button_clicked)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.random_button.clicked.connect(self._on_random_button_clicked)
        session.project.dataset_changed.connect(self._on_session_dataset_changed)
        session.inspect.sample_changed.connect(self._on_session_sample_changed)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        set_side_by_side_soon(self, self.digits_row, is_wide(event.size()))
        super().resizeEvent(event)

    # --- dataset --------------------------------------------------------------------------
    def is_images(self) -> bool:
        """Whether samples are pictures (thumbnails make sense)."""
        ds = self.session.project.dataset
        return ds is not None and len(ds.x_test) > 0 and as_image(ds.x_test[0]) is not None

    def is_digits(self) -> bool:
        """Whether a drawn 8x8 digit fits the data (``(64,)`` or ``(1, 8, 8)``)."""
        ds = self.session.project.dataset
        return self.is_images() and int(np.prod(ds.input_shape)) == 64

    def _on_session_dataset_changed(self) -> None:
        ds = self.session.project.dataset
        two_d = ds is not None and tuple(ds.input_shape) == (2,)
        images = self.is_images()
        self.scatter_widget.setVisible(two_d)
        self.thumbs.setVisible(images)
        self.canvas_box.setVisible(self.is_digits())
        self.summary.setVisible(not two_d and not images)
        # an empty row would still take its share of the height
        self._layout.setStretchFactor(self.digits_row, 6 if images else 0)
        if ds is None:
            self.title.setText("No dataset")
            return
        shape = "\u00d7".join(map(str, ds.input_shape))
        self.title.setText(
            f"{dataset_title(ds.name, ds)}: {len(ds.x_train)} training, {len(ds.x_test)} test "
            f"samples \u00b7 input {shape}"
        )
        self.summary.setText(
            f"Task: {ds.task}. "
            + (f"Classes: {', '.join(ds.class_names)}." if ds.class_names else "")
        )
        self.spin.blockSignals(True)
        self.spin.setRange(0, max(len(ds.x_test) - 1, 0))
        self.spin.blockSignals(False)
        if two_d:
            self._draw_scatter(ds)
        self._on_session_sample_changed()

    def _draw_scatter(self, ds) -> None:
        if ds.task == "classification":
            cols = class_colours(ds.num_classes or 2, ds.class_names)
            ytr = np.asarray(ds.y_train).astype(int).reshape(-1)
            yte = np.asarray(ds.y_test).astype(int).reshape(-1)
            self.train_scatter.setData(pos=ds.x_train, brush=[pg.mkBrush(cols[k]) for k in ytr])
            self.test_scatter.setData(
                pos=ds.x_test,
                pen=[pg.mkPen(cols[k], width=2.5) for k in yte],
                data=np.arange(len(yte)),
            )
        else:
            self.train_scatter.setData(pos=ds.x_train, brush=pg.mkBrush(theme.MUTED))
            self.test_scatter.setData(
                pos=ds.x_test,
                pen=pg.mkPen(theme.FOREGROUND, width=2),
                data=np.arange(len(ds.x_test)),
            )

    def _label_of(self, i: int) -> str:
        ds = self.session.project.dataset
        y = np.asarray(ds.y_test[i]).reshape(-1)
        if ds.task == "classification":
            k = int(y[0])
            return ds.class_names[k] if ds.class_names and k < len(ds.class_names) else str(k)
        return ", ".join(f"{v:.2f}" for v in y)

    # --- sample ---------------------------------------------------------------------------
    def _on_session_sample_changed(self) -> None:
        ds, s = self.session.project.dataset, self.session
        if ds is None or not len(ds.x_test):
            return
        i = s.inspect.sample_index % len(ds.x_test)
        self.spin.blockSignals(True)
        self.spin.setValue(i)
        self.spin.blockSignals(False)
        if s.inspect.source == "custom":
            self.label_text.setText("showing your drawing")
        elif s.inspect.source == "live":
            self.label_text.setText("showing the live sound")
        else:
            self.label_text.setText(f"label: {self._label_of(i)}")
        if tuple(ds.input_shape) == (2,):
            self.current_marker.setData(
                pos=ds.x_test[i : i + 1] if s.inspect.source != "custom" else np.zeros((0, 2))
            )
        if self.is_images():
            start = (i // THUMBS) * THUMBS
            page = range(start, min(start + THUMBS, len(ds.x_test)))
            self.thumbs.set_page(
                [(k, self._picture(ds.x_test[k]), self._label_of(k)) for k in page],
                i if s.inspect.source != "custom" else -1,
            )

    def _picture(self, x: np.ndarray) -> np.ndarray:
        """A sample as the thumbnail shows it: spectrograms with low pitch at the bottom."""
        img = as_image(x)
        sound = getattr(self.session.project.dataset, "transform", None) is not None
        return img[::-1] if sound and img is not None else img

    def _step(self, delta: int) -> None:
        ds = self.session.project.dataset
        if ds is not None and len(ds.x_test):
            self.session.inspect.select_sample(
                (self.session.inspect.sample_index + delta) % len(ds.x_test)
            )

    def _on_prev_button_clicked(self) -> None:
        self._step(-1)

    def _on_next_button_clicked(self) -> None:
        self._step(+1)

    def _on_spin_value_changed(self, value: int) -> None:
        self.session.inspect.select_sample(value)

    def _on_random_button_clicked(self) -> None:
        ds = self.session.project.dataset
        if ds is not None and len(ds.x_test):
            self.session.inspect.select_sample(int(self._rng.integers(len(ds.x_test))))

    def _on_thumbs_picked(self, index: int) -> None:
        self.session.inspect.select_sample(index)

    def _on_test_scatter_clicked(self, _item, points, *_args) -> None:
        if len(points):
            self.session.inspect.select_sample(int(points[0].data()))

    # --- drawing --------------------------------------------------------------------------
    def _on_canvas_drawn(self, img8: np.ndarray) -> None:
        ds = self.session.project.dataset
        if ds is None or not self.is_digits():
            return
        self.session.inspect.set_custom_sample(np.asarray(img8, np.float32).reshape(ds.input_shape))

    def _on_clear_button_clicked(self) -> None:
        self.canvas.clear()
        self.session.inspect.select_sample(self.session.inspect.sample_index)
