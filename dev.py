#!/usr/bin/env python3
"""Set visualnn up on a fresh Debian/Ubuntu machine, then run the app or the tests.

    python3 dev.py run     # system libraries + .venv + packages, then open the app on the demo
    python3 dev.py test    # the same set-up (plus the audio test tools), then the whole suite

Both are idempotent and quick once set up: system packages are only installed when missing,
and the Python packages only when ``pyproject.toml`` changed since the last install.
Anything after the command is passed on (``python3 dev.py run --preset digits-cnn``,
``python3 dev.py test -k conv``). Only the standard library is used here, on purpose: this
script runs before anything else is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".visualnn-installed"

#: What the app needs from the system: PortAudio for the microphone, and the libraries the
#: Qt wheels load (the xcb platform plugin for a real window; EGL/GL/fontconfig even offscreen).
RUN_PACKAGES = [
    "libportaudio2",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libglib2.0-0",
    "libdbus-1-3",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
]
#: Extra for the tests: a private PulseAudio daemon with a null sink is the "virtual
#: microphone" the real-stream test records from, through ALSA's pulse plug-in; espeak-ng
#: speaks the spoken-words benchmark set (``visualnn bench-words``).
TEST_PACKAGES = ["pulseaudio", "pulseaudio-utils", "libasound2-plugins", "alsa-utils", "espeak-ng"]


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def is_installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return result.returncode == 0 and "install ok installed" in result.stdout


def resolve_name(package: str) -> str | None:
    """The name apt knows a package by here (Ubuntu 24.04 renamed some libs to ``...t64``)."""
    for name in (package, package + "t64"):
        out = subprocess.run(["apt-cache", "policy", name], capture_output=True, text=True)
        if "Candidate:" in out.stdout and "Candidate: (none)" not in out.stdout:
            return name
    return None


def ensure_system_packages(packages: list[str]) -> None:
    """Install missing Debian packages when root; otherwise name the exact command."""
    if not shutil.which("dpkg-query") or not shutil.which("apt-get"):
        say("not a Debian/Ubuntu system: install PortAudio and Qt's xcb libraries yourself")
        return
    missing = [p for p in packages if not is_installed(p) and not is_installed(p + "t64")]
    if not missing:
        return
    if os.geteuid() != 0:
        say("missing system packages; install them with:")
        print(f"    sudo apt-get install -y {' '.join(missing)}", flush=True)
        return
    say(f"installing system packages: {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    names = [n for n in (resolve_name(p) for p in missing) if n]
    unknown = sorted(set(missing) - {n.removesuffix("t64") for n in names})
    if unknown:
        say(f"apt knows no package named {', '.join(unknown)} here; skipping them")
    if names:
        cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *names]
        if subprocess.run(cmd, env=env).returncode != 0:
            say("apt-get failed; the app still starts, but the microphone or a window may not")


def ensure_venv() -> Path:
    """Create ``.venv`` (installing python3-venv first if this Python lacks ensurepip)."""
    python = VENV / "bin" / "python"
    if python.exists():
        return python
    say(f"creating {VENV}")
    try:
        venv.EnvBuilder(with_pip=True).create(VENV)
    except Exception as exc:  # Debian's python3 without python3-venv: ensurepip is missing
        shutil.rmtree(VENV, ignore_errors=True)
        pkg = f"python3.{sys.version_info.minor}-venv"
        if os.geteuid() == 0 and shutil.which("apt-get"):
            say(f"this Python cannot make virtual environments ({exc}); installing {pkg}")
            subprocess.run(["apt-get", "update", "-qq"], check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", pkg, "python3-venv"], check=False)
            venv.EnvBuilder(with_pip=True).create(VENV)
        else:
            sys.exit(f"[dev] cannot create a virtual environment: sudo apt-get install -y {pkg}")
    return python


def ensure_python_packages(python: Path) -> None:
    """``pip install -e .[test]`` once, and again only when pyproject.toml changes."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    say("installing Python packages into .venv")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(digest)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py may run on an older python3)
        sys.exit("[dev] visualnn needs Python 3.11 or newer")
    if not argv or argv[0] not in ("run", "test", "setup"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_system_packages(RUN_PACKAGES + (TEST_PACKAGES if command == "test" else []))
    python = ensure_venv()
    ensure_python_packages(python)
    os.chdir(ROOT)
    if command == "setup":
        return 0
    if command == "run":
        args = [str(python), "-m", "visualnn", *rest]
    else:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        args = [str(python), "-m", "pytest", "-q", *rest]
    return subprocess.run(args).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
