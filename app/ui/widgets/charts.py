"""Live line charts (QtCharts) of the remote machine's CPU, memory, disk and network during a session."""

from __future__ import annotations

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QEvent, QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

#: How many samples each chart keeps (at one sample every 2 s: four minutes).
HISTORY = 120


class _Chart(QWidget):
    """One small chart with a caption showing the latest value."""

    def __init__(self, colour: str, maximum: float | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.maximum = maximum
        self.caption = QLabel()
        self.caption.setStyleSheet("font-weight: 600;")
        self.series = QLineSeries()
        pen = QPen(QColor(colour))
        pen.setWidth(2)
        self.series.setPen(pen)
        self.chart = QChart()
        self.chart.addSeries(self.series)
        self.chart.legend().hide()
        self.chart.setMargins(QMargins(0, 0, 0, 0))
        self.chart.setBackgroundRoundness(4)
        self.x_axis = QValueAxis()
        self.x_axis.setRange(0, HISTORY)
        self.x_axis.setVisible(False)
        self.y_axis = QValueAxis()
        self.y_axis.setRange(0, maximum or 1)
        self.y_axis.setLabelFormat("%.0f")
        self.y_axis.setTickCount(3)
        small = QFont(self.font())
        small.setPointSize(7)
        self.y_axis.setLabelsFont(small)
        self.chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.x_axis)
        self.series.attachAxis(self.y_axis)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(150)
        self.values: list[float] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.view)

    def add(self, value: float) -> None:
        """Append one value and scroll the history."""
        self.values = [*self.values, value][-HISTORY:]
        offset = HISTORY - len(self.values)
        self.series.replace([QPointF(offset + i, v) for i, v in enumerate(self.values)])
        if self.maximum is None:
            self.y_axis.setRange(0, max(1.0, max(self.values) * 1.2))


class LiveCharts(QWidget):
    """CPU %, memory %, disk % and network KB/s, newest on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cpu = _Chart("#2563eb", 100)
        self.memory = _Chart("#7c3aed", 100)
        self.disk = _Chart("#d97706", 100)
        self.network = _Chart("#15803d", None)
        self.status = QLabel()
        self.status.setProperty("role", "subtle")
        self.status.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(self.cpu, 0, 0)
        grid.addWidget(self.memory, 0, 1)
        grid.addWidget(self.disk, 1, 0)
        grid.addWidget(self.network, 1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.status)
        self.latest: tuple[float, float, float, float] | None = None
        self.retranslate()

    def add(self, cpu: float, memory: float, disk: float, network_kbps: float) -> None:
        """One new set of figures."""
        self.latest = (cpu, memory, disk, network_kbps)
        self.cpu.add(cpu)
        self.memory.add(memory)
        self.disk.add(disk)
        self.network.add(network_kbps)
        self.retranslate()

    def set_unavailable(self, reason: str) -> None:
        """Say why there are no figures (e.g. gateway mode, or not a Linux machine)."""
        self.status.setText(reason)

    def retranslate(self) -> None:
        """Set every visible text in the current language."""
        cpu, memory, disk, network = self.latest or (0.0, 0.0, 0.0, 0.0)
        self.cpu.caption.setText(self.tr("CPU: {value:.0f} %").format(value=cpu))
        self.memory.caption.setText(self.tr("Memory: {value:.0f} %").format(value=memory))
        self.disk.caption.setText(self.tr("Disk (/): {value:.0f} %").format(value=disk))
        self.network.caption.setText(self.tr("Network: {value:.0f} KB/s").format(value=network))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
