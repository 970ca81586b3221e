"""`make run`'s runner (scripts/serve.py) started for real: stopping it stops everything it
started, even when it is killed outright, and it never runs twice on one data folder."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
    # One migrated SQLite data folder for the module: the runner's processes use it.
    pytest.mark.xdist_group("serve"),
]

# Open labor from yesterday in a shop whose shift ends at midnight: the sweep closes it.
SEED_DUE_LABOR = """
import datetime
from django.utils import timezone
from shopdesk.core.models import Role
from shopdesk.core.tests.factories import JobFactory, OperationFactory, ShopFactory, member
from shopdesk.jobs.models import LaborEntry
shop = ShopFactory(shift_end_time=datetime.time(0, 0))
job = JobFactory(shop=shop)
LaborEntry.objects.create(
    shop=shop, job=job, operation=OperationFactory(job=job), user=member(shop, Role.OPERATOR),
    started_at=timezone.now() - datetime.timedelta(days=1),
)
"""


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(SHOPDESK_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="shopdesk.settings")
    env.pop("SITE_URL", None)
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=BASE_DIR, env=_env(folder), check=True)
    return folder


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)  # noqa: S310
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


class Served:
    def __init__(self, data_dir: Path, **env: str) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "scripts/serve.py"],
            cwd=BASE_DIR,
            env=_env(data_dir, PORT=str(self.port), WEB_WORKERS="1", **env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.record = data_dir / "serve.json"

    def children(self) -> set[int]:
        """Every process the runner started, gunicorn's workers included."""
        assert _wait(lambda: _answers(self.port), 60), "the server never answered"
        recorded = json.loads(self.record.read_text())
        assert {child["name"] for child in recorded["children"]} == {"web server", "task worker"}
        processes = _descendants(self.process.pid)
        assert {child["pid"] for child in recorded["children"]} <= processes
        assert len(processes) >= 3  # gunicorn master and worker, the task worker
        return processes

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.kill()
        for pid in _descendants(self.process.pid):
            os.kill(pid, signal.SIGKILL)
        return self.process.communicate(timeout=30)[0]


@pytest.fixture
def served(data_dir):
    runs: list[Served] = []

    def start(**env: str) -> Served:
        runs.append(Served(data_dir, **env))
        return runs[-1]

    yield start
    for run in runs:
        run.stop()


def test_sigterm_stops_every_process_and_the_worker_sweeps_shift_ends(data_dir, served):
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SEED_DUE_LABOR],
        cwd=BASE_DIR,
        env=_env(data_dir),
        check=True,
    )
    run = served()
    children = run.children()

    # The task worker swept the shift end on its own: no third process does it.
    def closed_by_shift_end() -> bool:
        with sqlite3.connect(data_dir / "shopdesk.sqlite3") as db:
            return (
                db.execute(
                    "SELECT count(*) FROM jobs_laborentry WHERE end_reason = 'shift_end'"
                ).fetchone()[0]
                == 1
            )

    assert _wait(closed_by_shift_end, 30)

    run.process.send_signal(signal.SIGTERM)
    assert run.process.wait(timeout=30) == 0
    assert not [pid for pid in children if _running(pid)]
    assert not _answers(run.port)
    assert not run.record.exists()


def test_kill_9_of_the_runner_stops_its_children(served):
    run = served()
    children = run.children()
    run.process.kill()
    run.process.wait(timeout=5)
    assert _wait(lambda: not [pid for pid in children if _running(pid)], 15)


def test_a_second_start_is_refused_while_one_runs(data_dir, served):
    first = served()
    first.children()
    second = subprocess.run(
        [sys.executable, "scripts/serve.py"],
        cwd=BASE_DIR,
        env=_env(data_dir, PORT=str(_free_port())),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert second.returncode == 1
    assert f"already running from {data_dir} (process {first.process.pid})" in second.stderr
    assert _answers(first.port)


def test_when_the_web_server_dies_everything_stops(served):
    run = served()
    children = run.children()
    web = next(
        child["pid"]
        for child in json.loads(run.record.read_text())["children"]
        if child["name"] == "web server"
    )
    os.kill(web, signal.SIGKILL)
    assert run.process.wait(timeout=30) != 0
    assert _wait(lambda: not [pid for pid in children if _running(pid)], 15)
    assert "The web server stopped" in run.stop()


def test_phones_get_the_network_address_when_serving_every_interface(served):
    run = served(HOST="0.0.0.0")  # noqa: S104
    run.children()
    run.process.send_signal(signal.SIGTERM)
    banner = run.process.communicate(timeout=30)[0]
    sys.path.insert(0, str(BASE_DIR / "scripts"))
    try:
        from serve import lan_address
    finally:
        sys.path.pop(0)
    address = lan_address()
    if address is None:
        assert "Only this computer can open it" in banner
    else:
        assert f"Phones and tablets on your network: http://{address}:{run.port}/" in banner
    assert banner.count("Demo logins") == 1


def _sleeper(data_dir: Path, command: list[str], **popen) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **popen,
    )


def test_workers_an_earlier_start_left_behind_are_stopped_first(data_dir, served, tmp_path):
    # As the old shell script left them once gunicorn was stopped: a shift-end loop on this
    # data folder with no server above it, and one on another data folder (not ours).
    loop = [sys.executable, "manage.py", "labor_shift_end", "--every", "60"]
    orphan = _sleeper(data_dir, loop, start_new_session=True)
    elsewhere = _sleeper(tmp_path, loop, start_new_session=True)
    # A child recorded by a runner that died, and a recorded pid now running something else.
    recorded = _sleeper(
        data_dir, [sys.executable, "-c", "import time; time.sleep(120)"], process_group=0
    )
    reused = _sleeper(
        data_dir, [sys.executable, "-c", "import time; time.sleep(121)"], process_group=0
    )
    try:
        (data_dir / "serve.json").write_text(
            json.dumps(
                {
                    "pid": 999999,
                    "children": [
                        {"name": "task worker", "pid": recorded.pid, "cmdline": recorded.args},
                        {"name": "web server", "pid": reused.pid, "cmdline": ["gunicorn"]},
                    ],
                }
            )
        )
        run = served()
        run.children()
        assert orphan.wait(timeout=30) is not None
        assert recorded.wait(timeout=30) is not None
        assert elsewhere.poll() is None and reused.poll() is None
    finally:
        for process in (orphan, elsewhere, recorded, reused):
            process.kill()
            process.wait()
    assert f"Stopping process {orphan.pid} left running" in run.stop()
