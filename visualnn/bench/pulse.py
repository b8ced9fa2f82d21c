"""A private PulseAudio daemon with a null sink: a virtual microphone for tests and benchmarks.

The daemon runs with its own HOME and XDG_RUNTIME_DIR in a temp folder, a unix socket with
anonymous auth, one null sink ``vnn_null`` whose monitor is the default source, and a
``~/.asoundrc`` that routes ALSA's ``default`` and ``pulse`` devices to it (libasound2-plugins),
so PortAudio's ALSA host API records what is played into the sink. It works as root too
(PulseAudio only warns). :func:`start_pulse` starts one; :meth:`PulseServer.close` kills it
and everything started through it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ASOUNDRC = """pcm.!default { type pulse }
ctl.!default { type pulse }
pcm.pulse { type pulse }
ctl.pulse { type pulse }
"""
SYSTEM_PACKAGES = (
    "sudo apt-get install libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins"
)


class PulseError(RuntimeError):
    """The daemon did not start; the message holds the end of its log."""


@dataclass
class PulseServer:
    """A running private daemon: ``env`` is what a client process needs."""

    root: Path
    env: dict
    daemon: subprocess.Popen
    log: Path
    procs: list = field(default_factory=list)

    def spawn(self, args, **kw) -> subprocess.Popen:
        """Start a helper process in the daemon's environment; killed at teardown."""
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        env = {**self.env, **kw.pop("extra_env", {})}
        proc = subprocess.Popen(args, env=env, start_new_session=True, **kw)
        self.procs.append(proc)
        return proc

    def play(self, wav: Path) -> subprocess.Popen:
        """Play a WAV file into the null sink (``paplay``).

        A short latency matters: with paplay's default (about 2 s) the null sink renders in
        big chunks and a recording opened right after waits over a second for its first block.
        """
        return self.spawn(["paplay", "--latency-msec=20", "-d", "vnn_null", str(wav)])

    def close(self) -> None:
        """Kill every helper process, then the daemon."""
        for proc in self.procs:
            _kill(proc)
        _kill(self.daemon)

    def kill_daemon(self) -> None:
        _kill(self.daemon)

    @staticmethod
    def stop(proc: subprocess.Popen) -> None:
        """Terminate a spawned process (and its group), killing it if it lingers."""
        _kill(proc)


def _kill(proc: subprocess.Popen, timeout: float = 3.0) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the process and anything it started
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout)


def start_pulse(root: Path) -> PulseServer:
    """Start a private daemon under ``root`` and wait until it answers (at most 10 s).

    Raises
    ------
    PulseError
        When it exits or does not answer, with the end of its log.
    """
    home, run = root / "home", root / "run"
    (home / ".config" / "pulse").mkdir(parents=True)
    run.mkdir(mode=0o700)
    (home / ".asoundrc").write_text(ASOUNDRC)
    # Clients must never autospawn a second daemon in the user's real session.
    (home / ".config" / "pulse" / "client.conf").write_text("autospawn = no\n")
    sock = run / "native"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULSE_", "ALSA_"))}
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(run), XDG_CONFIG_HOME=str(home / ".config"),
               PULSE_SERVER=f"unix:{sock}")  # fmt: skip
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    log = root / "pulseaudio.log"
    args = ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disable-shm=yes",
            "--use-pid-file=no", "--system=no", "--high-priority=no", "--realtime=no",
            "--log-target=stderr",
            "-L", f"module-native-protocol-unix auth-anonymous=1 socket={sock}",
            "-L", "module-null-sink sink_name=vnn_null rate=48000"]  # fmt: skip
    with open(log, "wb") as fh:
        daemon = subprocess.Popen(args, env=env, stdout=fh, stderr=fh, start_new_session=True)
    server = PulseServer(root, env, daemon, log)
    try:
        _wait_until_ready(server)
    except BaseException:
        server.close()
        raise
    return server


def _wait_until_ready(server: PulseServer) -> None:
    deadline = time.monotonic() + 10.0
    while True:
        if server.daemon.poll() is not None:
            raise PulseError(f"pulseaudio exited at start:\n{server.log.read_text()[-2000:]}")
        r = subprocess.run(["pactl", "info"], env=server.env, capture_output=True, text=True)
        if r.returncode == 0:
            break
        if time.monotonic() > deadline:
            raise PulseError(
                f"pulseaudio did not answer in 10 s:\n{server.log.read_text()[-2000:]}"
            )
        time.sleep(0.1)
    for cmd in (["pactl", "set-default-sink", "vnn_null"],
                ["pactl", "set-default-source", "vnn_null.monitor"]):  # fmt: skip
        subprocess.run(cmd, env=server.env, check=True, capture_output=True)
