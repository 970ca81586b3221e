"""Serve ShopDesk: the web server (gunicorn) and the background task worker, supervised as one.

Called by `make run` after setup; PORT overrides 8000, HOST overrides 127.0.0.1, WEB_WORKERS
overrides 2. Stopping this process (Ctrl+C, SIGTERM) stops both; if either one dies, the
other is stopped too and this process exits, so nothing is left running half. Each child
runs in its own process group (a signal reaches gunicorn's workers too) and, on Linux, is
told by the kernel to stop when this process dies, even by `kill -9`.

One runner per data folder: a second start while one runs is refused, and children a
crashed runner left behind (where the kernel could not end them) are stopped first.

Deliberately free of Django: this process only waits, and each Django process costs ~100 MB.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
# Seconds a child has to stop after SIGTERM before it is killed. Gunicorn's own graceful
# timeout is 5 s; a task in the middle of a traveler batch gets the rest.
STOP_GRACE_SECONDS = 10.0
PR_SET_PDEATHSIG = 1
# An address from the TEST-NET documentation range: connecting a UDP socket to it sends
# nothing but makes the kernel pick the interface (and address) a LAN client would reach.
ROUTE_PROBE_ADDRESS = ("192.0.2.1", 9)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
WORKER_COMMANDS = {"task_worker", "db_worker", "labor_shift_end"}
ALL_INTERFACES = {"0.0.0.0", "::", "[::]", ""}  # noqa: S104 - recognised, not bound here

DEMO_LOGINS = """\
  Demo logins (demo data only; password for all: demo)
    supervisor   plans, releases and watches the floor   (Demo Machine Works)
    owner        everything                               (Demo Machine Works)
    operator     the floor: scan, start, finish, block    (Demo Machine Works)
    office       customers, parts and jobs                (Demo Machine Works)
    quality      inspection and holds                     (Demo Machine Works)
    anodizer     a second shop, to see tenancy            (Demo Anodizing Co)
  Kiosk (/kiosk/setup/ as supervisor, then badge and PIN): badge 1001, PIN 1234;
    the rest of the crew 1002-1004, same PIN
"""


def lan_address() -> str | None:
    """This machine's address on the network it would use to reach others, or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(ROUTE_PROBE_ADDRESS)
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address  # noqa: S104


def phone_address(host: str, port: str) -> str:
    """The base URL printed on travelers: SITE_URL, else an address phones can reach, else ''
    (the server only listens on this machine; pages then use the request's address)."""
    site_url = os.environ.get("SITE_URL", "").rstrip("/")
    if site_url:
        return site_url
    if host in ALL_INTERFACES:
        address = lan_address()
        return f"http://{address}:{port}" if address else ""
    if host in LOOPBACK_HOSTS or host.startswith("127."):
        return ""
    return f"http://{host}:{port}"


def _die_with_parent(parent_pid: int) -> None:
    """Runs in the child before exec: ask Linux for SIGTERM when the supervisor dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        # The supervisor may have died between fork and prctl: then nobody would signal us.
        if os.getppid() != parent_pid:
            os._exit(1)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (not Linux): ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    # A zombie has ended; it only waits for its parent to read its status.
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _environ(pid: int) -> dict[str, str] | None:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    pairs = (item.decode(errors="replace").partition("=") for item in raw.split(b"\0") if item)
    return {key: value for key, _, value in pairs}


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _orphaned_workers(data_dir: Path) -> list[int]:
    """Background workers (`manage.py task_worker`, `db_worker`, `labor_shift_end`) run from
    this checkout on this data folder and database whose web server is gone (their parent is
    neither gunicorn nor a runner). Linux only (reads /proc); elsewhere none are found."""
    found = []
    own_data = data_dir.resolve()
    own_database = os.environ.get("DATABASE_URL", "")
    for entry in Path("/proc").glob("[0-9]*"):
        pid = int(entry.name)
        command = _cmdline(pid) or []
        if len(command) < 3 or Path(command[1]).name != "manage.py":
            continue
        if command[2] not in WORKER_COMMANDS or pid == os.getpid():
            continue
        try:
            if Path(os.readlink(f"/proc/{pid}/cwd")) != BASE_DIR:
                continue
        except OSError:
            continue
        env = _environ(pid)
        if env is None:
            continue
        data = (BASE_DIR / (env.get("SHOPDESK_DATA_DIR") or "var")).resolve()
        if data != own_data or env.get("DATABASE_URL", "") != own_database:
            continue
        parent = _cmdline(_parent(pid)) or []
        if any("gunicorn" in part or part.endswith("scripts/serve.py") for part in parent):
            continue
        found.append(pid)
    return found


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


class Runner:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.pid_path = data_dir / "serve.json"
        self.lock_path = data_dir / "serve.lock"
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stop_requested: int | None = None
        self._lock_file: Any = None

    def claim(self) -> None:
        """Take the data folder's lock, or refuse when another runner holds it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(self.lock_path, "a+")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            running = self._recorded().get("pid", "?")
            sys.exit(
                f"ShopDesk is already running from {self.data_dir} (process {running}). "
                f"Stop it first: Ctrl+C in its terminal, or `kill {running}`."
            )
        self._stop_leftovers()

    def _recorded(self) -> dict[str, Any]:
        try:
            return json.loads(self.pid_path.read_text())
        except (OSError, ValueError):
            return {}

    def _stop_leftovers(self) -> None:
        """Stop background processes an earlier start left running on this data folder.

        Children a runner that died recorded (where the kernel could not stop them with it):
        each recorded pid still running the recorded command, with its process group. And
        workers of this checkout on this data folder without their web server, as the old
        shell script left them when gunicorn was stopped: they would double up with ours.
        """
        groups = [
            child["pid"]
            for child in self._recorded().get("children", [])
            if _alive(child["pid"]) and _cmdline(child["pid"]) == child["cmdline"]
        ]
        orphans = [pid for pid in _orphaned_workers(self.data_dir) if pid not in groups]
        for pid in [*groups, *orphans]:
            print(f"Stopping process {pid} left running by an earlier start.", flush=True)
        for pid in groups:
            _signal_group(pid, signal.SIGTERM)
        for pid in orphans:
            _signal(pid, signal.SIGTERM)
        self._wait_gone([*groups, *orphans], STOP_GRACE_SECONDS)
        for pid in groups:
            _signal_group(pid, signal.SIGKILL)
        for pid in orphans:
            _signal(pid, signal.SIGKILL)

    def _wait_gone(self, pids: list[int], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            for child in self.children.values():
                child.poll()
            time.sleep(0.1)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        parent = os.getpid()
        self.children[name] = subprocess.Popen(  # noqa: S603 - our own commands
            command,
            cwd=BASE_DIR,
            env=env,
            process_group=0,
            preexec_fn=lambda: _die_with_parent(parent),  # noqa: PLW1509
        )
        self.pid_path.write_text(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "children": [
                        {"name": child_name, "pid": child.pid, "cmdline": _cmdline(child.pid)}
                        for child_name, child in self.children.items()
                    ],
                }
            )
        )

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.stop_requested = signum

    def wait(self) -> int:
        """Until a stop signal or a child's exit; then stop every child. Answers the exit code."""
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        exit_code = 0
        while self.stop_requested is None:
            ended = [
                (name, child) for name, child in self.children.items() if child.poll() is not None
            ]
            if ended:
                name, child = ended[0]
                print(f"The {name} stopped (exit code {child.returncode}); stopping ShopDesk.")
                # Killed by a signal (a negative code) or exited 0 unasked: still a failure.
                exit_code = child.returncode if child.returncode > 0 else 1
                break
            time.sleep(0.25)
        self.stop_all()
        return exit_code

    def stop_all(self) -> None:
        for child in self.children.values():
            _signal_group(child.pid, signal.SIGTERM)
        self._wait_gone([child.pid for child in self.children.values()], STOP_GRACE_SECONDS)
        for child in self.children.values():
            # The group too: gunicorn's workers outlive a master that was killed.
            _signal_group(child.pid, signal.SIGKILL)
            child.wait()
        self.pid_path.unlink(missing_ok=True)


def main() -> int:
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    workers = os.environ.get("WEB_WORKERS", "2")
    # Relative to the checkout, as for the children (which run there).
    data_dir = BASE_DIR / os.environ.get("SHOPDESK_DATA_DIR", "var")
    runner = Runner(data_dir)
    runner.claim()

    env = dict(os.environ)
    site_url = phone_address(host, port)
    if site_url:
        # Traveler QR codes carry this address whichever address the page was opened at.
        env["SITE_URL"] = site_url
    python = sys.executable
    runner.start(
        "web server",
        [
            python, "-m", "gunicorn", "shopdesk.wsgi:application",
            "--bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "--workers", workers, "--access-logfile", "-", "--log-level", "warning",
            "--graceful-timeout", "5", "--timeout", "60",
        ],
        env,
    )  # fmt: skip
    runner.start("task worker", [python, "manage.py", "task_worker", "--interval", "1"], env)

    shown_host = "127.0.0.1" if host in ALL_INTERFACES else host
    lines = ["", f"  ShopDesk is running at http://{shown_host}:{port}/"]
    if site_url:
        lines.append(f"  Phones and tablets on your network: {site_url}/ (printed on travelers)")
    else:
        lines.append(
            "  Only this computer can open it. For phones on your network, start with "
            "HOST=0.0.0.0 make run"
        )
    print("\n".join([*lines, "", DEMO_LOGINS, "  Stop with Ctrl+C.", ""]), flush=True)
    return runner.wait()


if __name__ == "__main__":
    sys.exit(main())
