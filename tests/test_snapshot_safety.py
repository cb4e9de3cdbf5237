"""`trtsetup snapshot` as a new user drives it: -o on links, FIFOs, devices and `-`; what a
capture must not carry (credentials in values, the whole dpkg database); and a capture
whose inner shapes are wrong, which must be refused rather than diagnosed."""

import json
import os
import stat
import threading

import pytest

from helpers import SystemTree, run_cli
from trees import jetson as jetson_trees
from trees import x86 as x86_trees
from trtsetup.commands.snapshot import trim_dpkg_status
from trtsetup.host.snapshot import RecordingHost, SnapshotHost
from trtsetup.host.root import RootHost
from trtsetup.probes.gather import gather_facts
from trtsetup.recipes import load_recipes


def _snapshot(*args, **kwargs):
    return run_cli(["snapshot", "--fast"] + list(args), **kwargs)


# -- where -o writes ----------------------------------------------------------------------------

def test_o_on_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "target").write_text("original\n")
    os.symlink("target", str(tmp_path / "link"))
    result = _snapshot("-o", str(tmp_path / "link"))
    assert result.exit_code == 0, result
    assert os.path.islink(str(tmp_path / "link"))
    doc = json.loads((tmp_path / "target").read_text())
    assert doc["schema"] == "trtsetup.snapshot/1"
    assert stat.S_IMODE(os.stat(str(tmp_path / "target")).st_mode) == 0o600
    assert "target" in result.stderr


def test_o_on_a_fifo_streams_to_its_reader_and_the_fifo_stays(tmp_path):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    result = _snapshot("-o", fifo)
    reader.join(30)
    assert result.exit_code == 0, result
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(got[0].decode("utf-8"))["schema"] == "trtsetup.snapshot/1"


def test_o_on_a_character_device_writes_into_it_and_leaves_the_device(tmp_path):
    before = os.lstat("/dev/null")
    result = _snapshot("-o", "/dev/null")
    assert result.exit_code == 0, result
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_o_dash_writes_the_document_on_stdout_and_no_file_named_dash(tmp_path):
    old = os.getcwd()
    os.chdir(str(tmp_path))
    try:
        result = _snapshot("-o", "-")
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["schema"] == "trtsetup.snapshot/1"
    assert not os.path.lexists(str(tmp_path / "-"))


def test_o_on_a_regular_file_replaces_it_atomically(tmp_path):
    out = tmp_path / "s.json"
    out.write_text("old")
    result = _snapshot("-o", str(out))
    assert result.exit_code == 0, result
    assert json.loads(out.read_text())["schema"] == "trtsetup.snapshot/1"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temp file left


def test_o_on_a_socket_is_refused_and_left_alone(tmp_path):
    import socket
    path = str(tmp_path / "sock")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(path)
    try:
        result = _snapshot("-o", path)
    finally:
        sock.close()
    assert result.exit_code == 2 and "cannot write snapshot" in result.stderr
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


# -- what a snapshot leaves out -------------------------------------------------------------------

def test_credentials_in_values_are_redacted_whatever_the_name(tmp_path):
    """The report's command line, verbatim."""
    env = {"MY_PASS": "pw123", "GH_PAT": "ghp_fake123", "DATABASE_URL": "postgres://user:hunter2@db/x",
           "HTTPS_PROXY": "http://user:proxypw@proxy:3128", "FAKE_TOKEN": "t", "DB_PASSWORD": "p",
           "NGC_API_KEY": "k", "CI_HELPER": "nvapi-abcDEF123_x", "AWS_ID": "AKIAIOSFODNN7EXAMPLE",
           "GIT_REMOTE": "https://oauth2:glpat-xxxxYYYYzzzz@gitlab.example.com/x.git",
           "HDR": "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijkl"}
    out = tmp_path / "red.json"
    result = _snapshot("-o", str(out), env=env)
    assert result.exit_code == 0, result
    text = out.read_text()
    for secret in ("pw123", "ghp_fake123", "hunter2", "proxypw", "nvapi-abc", "AKIAIOSFODNN7EXAMPLE",
                   "glpat-", "eyJhbGci"):
        assert secret not in text, secret
    doc = json.loads(text)
    # What is not a secret stays, so the capture is still useful.
    assert doc["env"]["HTTPS_PROXY"] == "http://user:<redacted>@proxy:3128"
    assert doc["env"]["DATABASE_URL"] == "postgres://user:<redacted>@db/x"
    assert doc["env"]["PATH"] == os.environ["PATH"]


def test_only_the_dpkg_stanzas_a_diagnosis_uses_are_kept(tmp_path):
    tree = SystemTree(tmp_path / "root")
    jetson_trees.nano_jp44(tree)
    tree.dpkg({"libreoffice-core": "1:7.0", "firefox": "120.0", "python3.6-minimal": "3.6.9-1~18.04",
               "libc6": "2.27-3ubuntu1", "nvidia-container-toolkit": "1.16.2-1",
               "nvidia-container-csv-cudnn": "8.0.0.180-1+cuda10.2", "libcudnn8": "8.0.0.180-1+cuda10.2"})
    data = open(tree.path("/var/lib/dpkg/status"), "rb").read()
    kept = trim_dpkg_status(data).decode()
    assert "libreoffice" not in kept and "firefox" not in kept
    for name in ("nvidia-l4t-core", "python3.6-minimal", "libc6", "nvidia-container-toolkit",
                 "nvidia-container-csv-cudnn", "libcudnn8"):
        assert "Package: " + name in kept
    assert len(kept) < len(data)


@pytest.mark.parametrize("build", [jetson_trees.nano_jp44, jetson_trees.orin_nano_jp62,
                                   x86_trees.x86_driver535_cuda122_trt86_deb, x86_trees.ngc_tensorrt])
def test_a_trimmed_capture_gives_the_same_facts_as_the_whole_one(tmp_path, build):
    tree = SystemTree(tmp_path / "root")
    build(tree)
    tree.dpkg({"libreoffice-core": "1:7.0", "firefox": "120.0"})
    recipes = load_recipes(overlays=[])
    recording = RecordingHost(RootHost(tree.root))
    gather_facts(recording, recipes, fast=True)

    def replay(name, trim):
        path = tmp_path / name
        doc = recording.to_snapshot("2026-12-01T00:00:00Z", "test", trim=trim)
        path.write_text(json.dumps(doc))
        facts = gather_facts(SnapshotHost(str(path)), recipes, fast=True).to_json()
        facts.pop("probe_seconds", None)
        return doc, facts

    whole_doc, whole = replay("whole.json", None)
    trimmed_doc, trimmed = replay("trimmed.json", {"/var/lib/dpkg/status": trim_dpkg_status})
    assert "firefox" in whole_doc["files"]["/var/lib/dpkg/status"]["text"]
    assert "firefox" not in trimmed_doc["files"]["/var/lib/dpkg/status"]["text"]
    assert trimmed == whole


# -- a snapshot whose inner shapes are wrong ---------------------------------------------------------

@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    out = tmp_path_factory.mktemp("snap") / "s.json"
    assert _snapshot("-o", str(out)).exit_code == 0
    return json.loads(out.read_text())


def _first(doc, key):
    return sorted(doc[key])[0]


BREAKAGES = [
    ("files_list", lambda d: d.__setitem__("files", [1, 2]), "files: a list"),
    ("env_null", lambda d: d.__setitem__("env", None), "env: null"),
    ("commands_dict", lambda d: d.__setitem__("commands", {}), "commands: an object"),
    ("text_int", lambda d: d["files"].__setitem__("/proc/meminfo", {"text": 5}), "files['/proc/meminfo'].text: an int"),
    ("files_values_int", lambda d: d["files"].__setitem__("/proc/meminfo", 7), "files['/proc/meminfo']: an int"),
    ("exists_string", lambda d: d["exists"].__setitem__("/.dockerenv", "no"), "exists['/.dockerenv']: a string"),
    ("returncode_string", lambda d: d["commands"][0].__setitem__("returncode", "0"), "commands[0].returncode: a string"),
    ("missing_files", lambda d: d.pop("files"), "files: missing"),
]


@pytest.mark.parametrize("name,breakage,needle", BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_a_snapshot_with_wrong_inner_shapes_exits_2_naming_the_field(tmp_path, captured, name, breakage, needle):
    doc = json.loads(json.dumps(captured))
    breakage(doc)
    path = tmp_path / (name + ".json")
    path.write_text(json.dumps(doc))
    result = run_cli(["doctor", "--snapshot", str(path)])
    assert result.exit_code == 2, result
    assert "is damaged" in result.stderr and needle in result.stderr, result.stderr
    assert "permission" not in result.stderr.lower() and "internal error" not in result.stderr


def test_a_snapshot_with_a_byte_order_mark_is_read(tmp_path, captured):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(captured).encode("utf-8"))
    assert run_cli(["doctor", "--snapshot", str(path), "--fast"]).exit_code in (0, 1)


def test_a_snapshot_from_a_newer_trtsetup_says_so(tmp_path, captured):
    doc = dict(captured, schema="trtsetup.snapshot/99")
    path = tmp_path / "new.json"
    path.write_text(json.dumps(doc))
    result = run_cli(["doctor", "--snapshot", str(path)])
    assert result.exit_code == 2 and "newer trtsetup" in result.stderr


def test_o_through_a_link_to_proc_self_fd_1_streams_into_the_pipe(tmp_path):
    """`snapshot -o /dev/stdout | head -1` as root turned /dev/stdout into a regular file. The
    same path shape, without risking the machine's /dev/stdout: a link to /proc/self/fd/1."""
    import subprocess
    import sys
    from helpers import REPO
    link = tmp_path / "stdout"
    os.symlink("/proc/self/fd/1", str(link))
    proc = subprocess.run([sys.executable, "-m", "trtsetup", "snapshot", "--fast", "-o", str(link)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                          env=dict(os.environ, PYTHONPATH=REPO))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.decode("utf-8"))["schema"] == "trtsetup.snapshot/1"
    assert os.path.islink(str(link)) and os.readlink(str(link)) == "/proc/self/fd/1"
