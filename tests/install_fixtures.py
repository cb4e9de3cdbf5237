"""Real parts for install tests: tiny wheels, a local package index over HTTP with fault
modes, throw-away virtual environments and a git repository standing in for pytorch/vision.

Nothing here touches the internet. Import the fixtures into a test module with
``from install_fixtures import *  # noqa`` (pytest puts tests/ on sys.path).
"""

import base64
import csv
import hashlib
import http.server
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile

import pytest

GIT_ENV = dict(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")

# -- wheels ----------------------------------------------------------------------------------------


def _record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return "sha256=" + digest


def make_wheel(dest_dir, name, version, files=None, requires=()):
    """Write ``<name>-<version>-py3-none-any.whl`` by hand (zip + METADATA/WHEEL/RECORD).

    ``files`` maps archive paths to text; by default ``<name>/__init__.py`` holding
    ``__version__``. Returns the wheel's path.
    """
    dist = name.replace("-", "_")
    files = dict(files or {"{}/__init__.py".format(dist): "__version__ = {!r}\n".format(version)})
    info = "{}-{}.dist-info".format(dist, version)
    metadata = "Metadata-Version: 2.1\nName: {}\nVersion: {}\n".format(name, version)
    metadata += "".join("Requires-Dist: {}\n".format(r) for r in requires)
    files[info + "/METADATA"] = metadata
    files[info + "/WHEEL"] = ("Wheel-Version: 1.0\nGenerator: trtsetup-tests\n"
                              "Root-Is-Purelib: true\nTag: py3-none-any\n")
    return _write_wheel(dest_dir, "{}-{}-py3-none-any.whl".format(dist, version), info,
                        {k: v.encode("utf-8") for k, v in files.items()})


def _write_wheel(dest_dir, filename, info, files):
    os.makedirs(dest_dir, exist_ok=True)
    path = os.path.join(dest_dir, filename)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for arc, data in sorted(files.items()):
        writer.writerow([arc, _record_hash(data), len(data)])
    writer.writerow([info + "/RECORD", "", ""])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for arc, data in sorted(files.items()):
            archive.writestr(arc, data)
        archive.writestr(info + "/RECORD", out.getvalue())
    return path


def torch_wheel(dest_dir, version="1.6.0", cuda="10.2", payload=0):
    """A stand-in for NVIDIA's torch wheel: importable ``torch`` with ``torch/version.py``
    (``cuda = None`` for a CPU build); ``payload`` bytes of incompressible data make it big
    enough to be interrupted half-way."""
    files = {
        "torch/__init__.py": "from .version import __version__\n",
        "torch/version.py": "__version__ = {!r}\ndebug = False\ncuda = {}\n".format(
            version, repr(cuda) if cuda else "None"),
    }
    if payload:
        files["torch/lib/payload.txt"] = base64.b64encode(os.urandom(payload)).decode("ascii")
    return make_wheel(dest_dir, "torch", version, files)


def repack_installed(name, dest_dir):
    """A wheel of a distribution installed in the test runner (setuptools, wheel), rebuilt
    from its RECORD, so the local index can serve real build tools. None if not installed."""
    for directory in sys.path:
        if not os.path.isdir(directory):
            continue
        for entry in sorted(os.listdir(directory)):
            if not (entry.endswith(".dist-info") and entry.split("-", 1)[0].lower() == name):
                continue
            version = entry[len(name) + 1:-len(".dist-info")]
            files = {}
            with open(os.path.join(directory, entry, "RECORD")) as handle:
                for row in csv.reader(handle):
                    arc = row[0] if row else ""
                    if (not arc or arc.startswith("..") or arc.endswith(".pyc") or arc.endswith("RECORD")
                            or arc.endswith("INSTALLER") or arc.endswith("REQUESTED")
                            or arc.endswith("direct_url.json")):
                        continue
                    full = os.path.join(directory, arc)
                    if os.path.isfile(full):
                        with open(full, "rb") as data:
                            files[arc] = data.read()
            return _write_wheel(dest_dir, "{}-{}-py3-none-any.whl".format(name, version), entry, files)
    return None


# -- the local index / file server -----------------------------------------------------------------

class FileServer(object):
    """HTTP on 127.0.0.1: a PEP 503 index of ``packages`` at ``/simple/`` and raw files at
    ``/files/<name>`` with Range support. ``fault(name, mode)`` breaks a file:

    * ``"cut"``: the first ``times`` responses stop half-way (the connection is closed);
    * ``"stall"``: send half, then hold the connection until ``release()``;
    * ``"wrong"``: serve other bytes of the same length;
    * ``"404"``: not found.

    ``requests`` lists ``(path, Range header or None)`` of every request seen.
    """

    def __init__(self, root):
        self.packages = os.path.join(str(root), "packages")
        self.files_dir = os.path.join(str(root), "files")
        os.makedirs(self.packages, exist_ok=True)
        os.makedirs(self.files_dir, exist_ok=True)
        self.requests = []
        self.faults = {}
        self.stalled = threading.Event()
        self._release = threading.Event()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                owner.requests.append((self.path, self.headers.get("Range")))
                owner._get(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler) \
            if hasattr(http.server, "ThreadingHTTPServer") else _threading_server(Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:{}".format(self.port)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    # -- content ---------------------------------------------------------------------------

    def add_package(self, wheel_path):
        shutil.copy(wheel_path, self.packages)
        return os.path.basename(wheel_path)

    def add_file(self, path, name=None):
        """Serve ``path`` at ``/files/<name>`` (name may hold folders: ``cut/torch-...whl``)."""
        name = name or os.path.basename(path)
        full = os.path.join(self.files_dir, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        shutil.copy(path, full)
        return self.url + "/files/" + name

    def fault(self, name, mode, times=1):
        if mode == "stall":
            self.stalled.clear()
            self._release.clear()
        self.faults[name] = {"mode": mode, "times": times}

    def release(self):
        self._release.set()

    def close(self):
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def range_requests(self, name):
        return [r for p, r in self.requests if p == "/files/" + name and r]

    @property
    def index_url(self):
        return self.url + "/simple/"

    # -- serving ---------------------------------------------------------------------------

    def _get(self, handler):
        path = handler.path.split("?", 1)[0]
        if path.rstrip("/") == "/simple":
            names = sorted({_project(n) for n in os.listdir(self.packages)})
            return self._send(handler, _page("".join('<a href="{0}/">{0}</a>'.format(n) for n in names)))
        if path.startswith("/simple/"):
            project = path[len("/simple/"):].strip("/")
            links = []
            for name in sorted(os.listdir(self.packages)):
                if _project(name) == project:
                    with open(os.path.join(self.packages, name), "rb") as f:
                        digest = hashlib.sha256(f.read()).hexdigest()
                    links.append('<a href="/packages/{0}#sha256={1}">{0}</a>'.format(name, digest))
            if not links:
                return self._send(handler, b"not found", 404)
            return self._send(handler, _page("".join(links)))
        if path.startswith("/packages/"):
            return self._serve_file(handler, os.path.join(self.packages, path[len("/packages/"):]), None)
        if path.startswith("/files/"):
            name = path[len("/files/"):]
            return self._serve_file(handler, os.path.join(self.files_dir, name), name)
        return self._send(handler, b"not found", 404)

    def _send(self, handler, body, status=200, content_type="text/html"):
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _serve_file(self, handler, full, name):
        fault = self.faults.get(name) if name else None
        if fault and fault["times"] <= 0:
            fault = None
        if fault:
            fault["times"] -= 1
        if (fault and fault["mode"] == "404") or not os.path.isfile(full):
            return self._send(handler, b"not found", 404)
        with open(full, "rb") as f:
            data = f.read()
        if fault and fault["mode"] == "wrong":
            data = bytes(reversed(data))
        start = 0
        wanted = handler.headers.get("Range")
        if wanted and wanted.startswith("bytes=") and wanted.endswith("-"):
            start = int(wanted[len("bytes="):-1])
        if start >= len(data) and start:
            handler.send_response(416)
            handler.send_header("Content-Range", "bytes */{}".format(len(data)))
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        body = data[start:]
        handler.send_response(206 if start else 200)
        if start:
            handler.send_header("Content-Range", "bytes {}-{}/{}".format(start, len(data) - 1, len(data)))
        handler.send_header("Accept-Ranges", "bytes")
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if fault and fault["mode"] in ("cut", "stall"):
            handler.wfile.write(body[:len(body) // 2])
            handler.wfile.flush()
            if fault["mode"] == "stall":
                self.stalled.set()
                self._release.wait(60)
            handler.close_connection = True
            try:
                handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        handler.wfile.write(body)


def _threading_server(handler):
    import socketserver

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    return Server(("127.0.0.1", 0), handler)


def _project(filename):
    return filename.split("-", 1)[0].replace("_", "-").lower()


def _page(body):
    return ("<!DOCTYPE html><html><body>{}</body></html>".format(body)).encode("utf-8")


def refused_url(name="torch-1.6.0-py3-none-any.whl"):
    """A URL on a local port where nothing listens (the connection is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return "http://127.0.0.1:{}/files/{}".format(port, name)


# -- git repository standing in for pytorch/vision -------------------------------------------------

VISION_SETUP = '''
import os
import sys
from setuptools import setup

import torch  # like the real setup.py: the build needs the target's torch (no isolation)

version = os.environ.get("BUILD_VERSION") or "{version}a0+deadbee"
if not os.environ.get("MAX_JOBS", "").isdigit():
    sys.exit("MAX_JOBS is not set")
stall = os.environ.get("TEST_VISION_STALL")
if stall:
    open(stall + ".started", "w").close()
    while os.path.exists(stall):
        import time
        time.sleep(0.05)
{broken}
# like the real setup.py: write torchvision/version.py from the version being built
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "torchvision", "version.py"), "w") as f:
    f.write("__version__ = %r\\n" % version)
setup(name="torchvision", version=version, packages=["torchvision"],
      install_requires=["torch"])
'''

BROKEN = '''sys.stderr.write("torchvision/csrc/cpu/image/read_write_file.cpp:5:10: fatal error: "
                 "jpeglib.h: No such file or directory\\n")
sys.stderr.write("error: command '/usr/bin/gcc' failed with exit code 1\\n")
sys.exit(1)
'''


def git(cwd, *args):
    return subprocess.run(["git"] + list(args), cwd=str(cwd), env=dict(os.environ, **GIT_ENV),
                          check=True, stdout=subprocess.PIPE,
                          universal_newlines=True).stdout.strip()


def make_vision_repo(path, version="0.7.0", broken=False):
    """A git repository with a setup.py-built ``torchvision`` package, tagged ``v<version>``."""
    path = str(path)
    os.makedirs(os.path.join(path, "torchvision"))
    with open(os.path.join(path, "setup.py"), "w") as f:
        f.write(VISION_SETUP.format(version=version, broken=BROKEN if broken else ""))
    with open(os.path.join(path, "torchvision", "__init__.py"), "w") as f:
        f.write("from .version import __version__\n")
    git(path, "init", "-q")
    with open(os.path.join(path, ".gitignore"), "w") as f:
        f.write("torchvision/version.py\n")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "torchvision {}".format(version))
    git(path, "tag", "v" + version)
    return path


# -- environments ----------------------------------------------------------------------------------

def clean_pip_environment(monkeypatch, home):
    """No pip configuration or index from the machine running the tests; HOME and the XDG
    directories inside the test's tmp dir (so ``--user`` lands there)."""
    for name in list(os.environ):
        if name.startswith("PIP_") or name in ("PYTHONPATH", "PYTHONUSERBASE", "VIRTUAL_ENV",
                                                 "XDG_STATE_HOME", "XDG_CACHE_HOME", "MAX_JOBS"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("HOME", str(home))


def make_venv(path, wheels):
    """A venv of the runner's Python with the given wheels unpacked into it (pip first of
    all): ``venv --without-pip`` plus an unzip takes a fraction of a second, where ensurepip
    takes ten on a small machine."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = os.path.join(str(path), "bin", "python")
    purelib = site_packages(python)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(purelib)
    return python


def copy_venv(pristine, dest):
    shutil.copytree(pristine, str(dest), symlinks=True)
    return os.path.join(str(dest), "bin", "python")


def site_packages(python):
    return subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          stdout=subprocess.PIPE, universal_newlines=True, check=True,
                          env=dict(os.environ, PYTHONPATH="")).stdout.strip()


def import_version(python, module, cwd="/"):
    """``module.__version__`` as the target interpreter imports it (None if it cannot)."""
    proc = subprocess.run([python, "-c", "import {0}; print({0}.__version__)".format(module)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          cwd=cwd)
    return proc.stdout.strip() if proc.returncode == 0 else None


def wait_for(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


# -- pytest fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def index_server(tmp_path_factory, runner_wheels):
    """The session's local index: torch 1.6.0 (CUDA 10.2 stand-in), torchvision 0.6.0 and
    0.7.0 wheels, and the runner's setuptools and wheel (and what wheel needs) for builds."""
    root = tmp_path_factory.mktemp("index")
    server = FileServer(root)
    built = str(root / "built")
    server.add_package(torch_wheel(built, "1.6.0"))
    for version in ("0.6.0", "0.7.0"):
        server.add_package(make_wheel(built, "torchvision", version, requires=["torch"]))
    for name, wheel in runner_wheels.items():
        if name != "pip":
            server.add_package(wheel)
    yield server
    server.close()


@pytest.fixture(scope="session")
def runner_wheels(tmp_path_factory):
    """pip, setuptools, wheel (and what wheel needs) of the test runner, as wheels."""
    out = str(tmp_path_factory.mktemp("runner-wheels"))
    wheels = {}
    for name in ("pip", "setuptools", "wheel", "packaging", "pyparsing"):
        wheel = repack_installed(name, out)
        if wheel is None and name in ("pip", "setuptools", "wheel"):
            pytest.skip("the test runner has no {} installed to put in test venvs".format(name))
        if wheel is not None:
            wheels[name] = wheel
    return wheels


@pytest.fixture(scope="session")
def pristine_venv(tmp_path_factory, runner_wheels):
    """One venv per session holding only pip (like a fresh Python 3.12 venv); tests copy it."""
    path = tmp_path_factory.mktemp("pristine") / "venv"
    make_venv(path, [runner_wheels["pip"]])
    return str(path)


@pytest.fixture(scope="session")
def build_venv(tmp_path_factory, runner_wheels):
    """One venv per session with pip and the build tools (setuptools, wheel)."""
    path = tmp_path_factory.mktemp("pristine-build") / "venv"
    make_venv(path, list(runner_wheels.values()))
    return str(path)


@pytest.fixture
def env_dirs(tmp_path, monkeypatch):
    """HOME, state and cache dirs inside tmp_path, pip isolated from the machine."""
    home = tmp_path / "home"
    home.mkdir()
    clean_pip_environment(monkeypatch, home)
    return {"home": str(home), "state": str(tmp_path / "state"), "cache": str(tmp_path / "cache")}


@pytest.fixture
def venv_python(pristine_venv, tmp_path):
    """A throw-away venv for this test (a copy of the session's pristine one: pip only)."""
    return copy_venv(pristine_venv, tmp_path / "venv")


@pytest.fixture
def build_venv_python(build_venv, tmp_path):
    """A throw-away venv with pip, setuptools and wheel."""
    return copy_venv(build_venv, tmp_path / "venv")
