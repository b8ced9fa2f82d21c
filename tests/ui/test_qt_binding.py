"""Guard against a Qt binding that corrupts Python's reference counts.

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` on every void call and to
``True`` on every ``Signal.emit()``; the interpreter aborts after a few thousand calls, i.e.
within seconds of live training views. pyproject.toml pins below it; this test fails loudly
if an install ever brings such a build back.
"""

import subprocess
import sys

PROBE = """
import sys
from PySide6 import QtCore

class Emitter(QtCore.QObject):
    fired = QtCore.Signal()

obj = Emitter()
true_refs, none_refs = sys.getrefcount(True), sys.getrefcount(None)
for _ in range(500):
    obj.fired.emit()
    obj.setObjectName("probe")
print(sys.getrefcount(True) - true_refs, sys.getrefcount(None) - none_refs)
"""


def test_emit_and_void_calls_keep_refcounts():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    true_delta, none_delta = (int(v) for v in out.stdout.split())
    # A healthy binding leaves both unchanged (give a little slack for interpreter caches).
    assert abs(true_delta) < 50 and abs(none_delta) < 50, (true_delta, none_delta)
