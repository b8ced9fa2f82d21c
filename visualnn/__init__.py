"""visualnn: see a neural network think.

The packages are layered (see DESIGN.md): ``engine`` (NumPy only) < ``audio`` (NumPy, and
sounddevice only inside the microphone source) < ``data``/``project`` < ``ui`` (Qt).
"""

__version__ = "0.1.0"
