"""Shared fixtures: one run of the tutorial, a real HTTP server on 127.0.0.1, small K49 files.

Tests that execute notebooks (a kernel per notebook) carry the ``notebooks`` mark, set
here from the fixtures they use or by their module; ``make test-fast`` leaves them out.
Tests that read the tutorial's one run all live in ``tests/test_notebooks.py``, which
pytest-xdist (``--dist loadfile``) gives to one worker, so each part runs once per session.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # the tests draw figures off-screen (kernels keep their own backend)

# A notebook run without injected parameters (tiny test notebooks, the doctests) reads
# these: the offline sample, and artifacts kept out of the tree.
os.environ["K49TUT_DATASET"] = "sample"
if "K49TUT_OUTPUT_DIR" not in os.environ:
    os.environ["K49TUT_OUTPUT_DIR"] = tempfile.mkdtemp(prefix="k49tut-tests-")
    atexit.register(shutil.rmtree, os.environ["K49TUT_OUTPUT_DIR"], ignore_errors=True)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # ipykernel 6's debugger notice

from k49tut.classes import classmap_csv  # noqa: E402
from k49tut.files import RemoteFile  # noqa: E402

#: The ``k49tut`` command, as a child process of the Python running the tests.
K49TUT = [sys.executable, "-m", "k49tut"]


def k49tut(*args: str, env_extra=None, timeout: float = 90, **kwargs):
    """Run ``k49tut ARGS`` in a child process: its exit status and its output, as text."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env_extra or {})}
    return subprocess.run(
        [*K49TUT, *args], capture_output=True, text=True, timeout=timeout, env=env, **kwargs
    )


@pytest.fixture
def figures():
    """The bundled Japanese font set up; a warning while drawing (such as "Glyph ...
    missing") fails the test; every figure closed afterwards."""
    import matplotlib.pyplot as plt

    from k49tut import fonts

    fonts.setup()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        yield
    plt.close("all")


def pytest_configure(config):
    # a conftest's fixtures reach only the tests below it; the doctests live in src/
    config.pluginmanager.import_plugin("doctest_folders")


#: Fixtures whose users execute notebooks.
_RUNS_NOTEBOOKS = {"tutorial"}


#: The one module whose tests read the tutorial's run: pytest-xdist's ``--dist loadfile``
#: keeps a module on one worker, so each part runs once per session.
_TUTORIAL_MODULE = "test_notebooks.py"


def pytest_xdist_make_scheduler(config, log):
    """Under ``--dist loadfile``, the tutorial's module goes to a worker first.

    Its run is the longest chain of the suite (the four parts in order, Part 2 twice);
    pytest-xdist would otherwise hand out the modules with the most tests first, so a
    worker ran a few of them before starting the tutorial, while the other finished early
    and waited. Returns None (xdist's own choice) for any other mode.
    """
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class TutorialFirst(LoadFileScheduling):
        def _assign_work_unit(self, node):
            for scope in self.workqueue:  # an OrderedDict, handed out from the front
                if scope.endswith(_TUTORIAL_MODULE):
                    self.workqueue.move_to_end(scope, last=False)
                    break
            super()._assign_work_unit(node)

    return TutorialFirst(config, log)


def pytest_itemcollected(item):
    """Mark the tests that run notebooks; keep the readers of the tutorial's run together."""
    if _RUNS_NOTEBOOKS & set(getattr(item, "fixturenames", ())):
        item.add_marker(pytest.mark.notebooks)
        if item.path.name != _TUTORIAL_MODULE:
            raise pytest.UsageError(
                f"{item.nodeid} reads the tutorial's run: move it into tests/"
                f"{_TUTORIAL_MODULE}, so that the same worker runs each part once."
            )


class TutorialRun:
    """The four parts run once, in order, into one output folder; see tests/tutorial_run.py."""

    def __init__(self, base: Path):
        self.base, self.out = base, base / "out"
        self._runs: dict = {}

    def notebook(self, name: str):
        """The executed notebook ``name`` (run on first request; Part 4 after Part 3).

        Part 4 runs as a user runs it alone after Part 3: ``k49tut run --parts 4`` into
        Part 3's output folder, with the run's defaults.
        """
        if name == "04_inside.ipynb":
            self.notebook("03_recipe.ipynb")
        if name not in self._runs:
            try:
                self._runs[name] = self._execute(name)
            except Exception as error:  # fail every check of this part, run it once
                self._runs[name] = error
        run = self._runs[name]
        if isinstance(run, Exception):
            pytest.fail(f"{name} failed in the tutorial's test run: {run}", pytrace=False)
        return run

    def _execute(self, name: str):
        import nbformat
        from tutorial_run import PARAMETERS, execute

        from k49tut.runner import run_all

        if name != "04_inside.ipynb":
            return execute(name, self.base / "notebooks", self.out)
        assert PARAMETERS[name] == {"dataset": "sample"}  # what the run passes
        assert run_all(self.out, dataset="sample", parts=[4]) == 0, "k49tut run --parts 4"
        return nbformat.read(self.out / name, as_version=4)

    def metrics(self, file: str) -> dict:
        return json.loads((self.out / file).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def tutorial(tmp_path_factory) -> TutorialRun:
    return TutorialRun(tmp_path_factory.mktemp("tutorial"))


class _Handler(BaseHTTPRequestHandler):
    """Serves ``server.routes[path] = Route(...)``; see :meth:`LocalServer.serve`."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.server.hits.append(self.path)
        route = self.server.routes.get(self.path, Route(404, b"not found"))
        self.send_response(route.status)
        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Length": str(len(route.body)),
            **route.headers,
        }
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self._send(route)
        except (ConnectionError, OSError):  # the client hung up: nothing more to do
            pass

    def _send(self, route):
        body = route.body
        if route.mode == "truncate":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif route.mode == "drip":  # one byte at a time, forever slower than a file
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(route.pause)
        elif route.mode == "silent":  # the headers, then nothing for route.pause seconds
            time.sleep(route.pause)
            self.wfile.write(body)
        elif route.mode == "pause":  # half, then route.hook() in this thread, then the rest
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            route.hook()
            self.wfile.write(body[len(body) // 2 :])
        else:
            self.wfile.write(body)

    def log_message(self, *args):  # keep test output quiet
        pass


@dataclass
class Route:
    """What the local server answers for one path."""

    status: int
    body: bytes
    mode: str = "full"
    headers: dict = field(default_factory=dict)
    pause: float = 0.05
    hook: object = None


class LocalServer:
    """A threaded HTTP server on a free loopback port."""

    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.routes = {}
        self.httpd.hits = []
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, daemon=True, kwargs={"poll_interval": 0.05}
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    @property
    def hits(self) -> list[str]:
        return self.httpd.hits

    def serve(
        self, name: str, body: bytes, status: int = 200, mode: str = "full", **options
    ) -> None:
        """Answer ``/name`` with ``body``. Modes: "full"; "truncate" (half, then hang up);
        "drip" (a byte every ``pause`` s); "silent" (headers, ``pause`` s of silence, the
        body); "pause" (half, ``hook()``, the rest).
        ``headers`` adds or replaces response headers."""
        self.httpd.routes["/" + name] = Route(status, body, mode, **options)

    def serve_all(self, bodies: dict[str, bytes]) -> None:
        """Answer ``/name`` with its body, for every file of ``bodies``."""
        for name, body in bodies.items():
            self.serve(name, body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = LocalServer()
    yield srv
    srv.close()


@pytest.fixture
def quick_retries(monkeypatch):
    """Keep the schedule of attempts after a network fault (three in all), not its waits."""
    from k49tut import download

    monkeypatch.setattr(download, "RETRY_WAITS", (0.01, 0.01))


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL on which nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def npz_bytes(array: np.ndarray) -> bytes:
    """An array saved the way K49 publishes it: compressed .npz with the key ``arr_0``."""
    buf = io.BytesIO()
    np.savez_compressed(buf, array)
    return buf.getvalue()


def spec_for(name: str, body: bytes) -> RemoteFile:
    return RemoteFile(name, len(body), hashlib.md5(body).hexdigest())


@pytest.fixture
def tiny_k49():
    """Five files in K49's exact format (but tiny), their bytes and a registry for them."""
    rng = np.random.default_rng(0)
    arrays = {
        "k49-train-imgs.npz": rng.integers(0, 256, (60, 28, 28), dtype=np.uint8),
        "k49-train-labels.npz": rng.integers(0, 49, 60).astype(np.uint8),
        "k49-test-imgs.npz": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "k49-test-labels.npz": rng.integers(0, 49, 20).astype(np.uint8),
    }
    bodies = {name: npz_bytes(a) for name, a in arrays.items()}
    bodies["k49_classmap.csv"] = classmap_csv()
    files = tuple(spec_for(name, body) for name, body in bodies.items())
    return arrays, bodies, files


def labelled_dataset(per_class_train: int = 3, per_class_test: int = 2, synthetic: bool = True):
    """A tiny Dataset whose every image of class c is filled with the value 5 * c + 5."""
    from k49tut.classes import classmap
    from k49tut.data import Dataset

    def split(n):
        y = np.repeat(np.arange(49), n).astype(np.uint8)
        x = np.repeat(((y.astype(np.uint16) * 5) + 5).astype(np.uint8), 28 * 28).reshape(
            -1, 28, 28
        )
        return x.copy(), y

    x_train, y_train = split(per_class_train)
    x_test, y_test = split(per_class_test)
    return Dataset(
        x_train, y_train, x_test, y_test, classmap(), "tiny" if synthetic else "k49", synthetic
    )


#: A parameters cell that declares every option ``k49tut run`` passes.
PARAMETERS = (
    'dataset = "k49"\ndata_dir = None\nepochs = 10\nseed = 0\nbatch_size = 32\n'
    'output_dir = "nowhere"'
)


def tiny_notebook(path, *cells, parameters=PARAMETERS) -> None:
    """Write a notebook at ``path``: a ``parameters`` cell, then one code cell per string."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    first = [new_code_cell(parameters)] if parameters is not None else []  # None: no such cell
    for cell in first:
        cell.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[*first, *[new_code_cell(c) for c in cells]])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
