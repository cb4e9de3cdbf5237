"""Fetching torch2trt: real git repositories, real archives, a real HTTP server on 127.0.0.1."""

import http.server
import io
import os
import socketserver
import subprocess
import tarfile
import threading
import zipfile

import pytest

from trtsetup.errors import ActionFailed, InputError, UsageError
from trtsetup.host.live import LiveHost
from trtsetup.torch2trt import source

RUN = LiveHost().run
GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")


def git(cwd, *args):
    return subprocess.run(["git"] + list(args), cwd=str(cwd), env=GIT_ENV, check=True,
                          stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()


def commit_file(repo, name, text, message):
    (repo / name).write_text(text)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    """A repository shaped like upstream: tag v0.3.0 and a *branch* v0.3.0 that differ."""
    repo = tmp_path_factory.mktemp("upstream") / "torch2trt"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "master")
    tagged = commit_file(repo, "setup.py", "version='0.3.0'\n", "release 0.3.0")
    git(repo, "tag", "v0.3.0")
    base = commit_file(repo, "setup.py", "version='0.4.0'\n", "dev")
    git(repo, "branch", "v0.3.0", base)  # same name as the tag, other commit
    head = commit_file(repo, "setup.py", "version='0.5.0'\n", "trt 10")
    return {"repo": repo, "url": "file://" + str(repo), "tagged": tagged, "branch": base, "head": head}


def test_tag_is_resolved_as_tag_although_a_branch_has_its_name(upstream, tmp_path):
    spec = source.parse_source_spec(upstream["url"] + "@v0.3.0")
    assert spec == source.SourceSpec("git", upstream["url"], "v0.3.0")
    got = source.fetch_source(spec, str(tmp_path), RUN)
    assert (got.commit, got.resolved_as) == (upstream["tagged"], "tag")
    assert open(os.path.join(got.src_dir, "setup.py")).read() == "version='0.3.0'\n"
    assert got.src_dir.startswith(str(tmp_path))


def test_default_ref_and_offline_reuse_of_the_mirror(upstream, tmp_path):
    spec = source.parse_source_spec(None, default_ref="master")
    assert spec.location == source.UPSTREAM_URL and spec.ref == "master"
    local = source.SourceSpec("git", upstream["url"], "master")
    first = source.fetch_source(local, str(tmp_path), RUN)
    assert first.commit == upstream["head"] and first.resolved_as == "branch"
    moved = str(upstream["repo"]) + "-away"
    os.rename(str(upstream["repo"]), moved)  # the remote is gone: offline
    try:
        again = source.fetch_source(local, str(tmp_path), RUN)
    finally:
        os.rename(moved, str(upstream["repo"]))
    assert again.commit == upstream["head"]
    assert any("offline" in n for n in again.notes)


def test_required_ancestor_refuses_an_older_ref(upstream, tmp_path):
    spec = source.SourceSpec("git", upstream["url"], "v0.3.0")
    with pytest.raises(ActionFailed) as err:
        source.fetch_source(spec, str(tmp_path), RUN, require_ancestor=upstream["head"])
    assert upstream["head"] in str(err.value)
    ok = source.fetch_source(source.SourceSpec("git", upstream["url"], "master"), str(tmp_path), RUN,
                             require_ancestor=upstream["branch"])
    assert ok.commit == upstream["head"]


def test_unknown_ref_and_unreachable_url_fail_clearly(upstream, tmp_path):
    with pytest.raises(ActionFailed) as err:
        source.fetch_source(source.SourceSpec("git", upstream["url"], "v9.9.9"), str(tmp_path), RUN)
    assert "v9.9.9" in str(err.value)
    with pytest.raises(ActionFailed) as err:
        source.fetch_source(source.SourceSpec("git", "file:///nonexistent/repo", "master"), str(tmp_path), RUN)
    assert "cannot clone" in str(err.value) and "--torch2trt-src" in err.value.fix


def test_local_checkout_is_copied_and_its_head_recorded(upstream, tmp_path):
    got = source.fetch_source(source.parse_source_spec(str(upstream["repo"])), str(tmp_path), RUN)
    assert got.spec.kind == "path" and got.commit == upstream["head"] and got.resolved_as == "git-head"
    assert not os.path.exists(os.path.join(got.src_dir, ".git"))
    assert os.path.exists(os.path.join(got.src_dir, source.SOURCE_RECORD))


@pytest.mark.parametrize("text, expected", [
    ("https://github.com/NVIDIA-AI-IOT/torch2trt@v0.3.0", ("git", "https://github.com/NVIDIA-AI-IOT/torch2trt", "v0.3.0")),
    ("https://user@example.com/x/torch2trt.git", ("git", "https://user@example.com/x/torch2trt.git", "master")),
    ("git@github.com:NVIDIA-AI-IOT/torch2trt.git", ("git", "git@github.com:NVIDIA-AI-IOT/torch2trt.git", "master")),
    ("git@github.com:NVIDIA-AI-IOT/torch2trt.git@feature/x", ("git", "git@github.com:NVIDIA-AI-IOT/torch2trt.git", "feature/x")),
    ("https://github.com/NVIDIA-AI-IOT/torch2trt/archive/refs/heads/master.zip", ("archive", "https://github.com/NVIDIA-AI-IOT/torch2trt/archive/refs/heads/master.zip", None)),
])
def test_source_spec_forms(text, expected):
    assert tuple(source.parse_source_spec(text, default_ref="master")) == expected


def test_a_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        source.parse_source_spec(str(tmp_path / "nope"))


def make_git_archive(upstream, path, fmt):
    subprocess.run(["git", "-C", str(upstream["repo"]), "archive", "--format=" + fmt, "--prefix=torch2trt-master/",
                    "-o", str(path), upstream["head"]], check=True)
    return str(path)


@pytest.mark.parametrize("fmt, name", [("tar.gz", "t.tar.gz"), ("zip", "t.zip")])
def test_archive_is_unpacked_and_its_commit_read(upstream, tmp_path, fmt, name):
    archive = make_git_archive(upstream, tmp_path / name, fmt)
    got = source.fetch_source(source.parse_source_spec(archive), str(tmp_path / "cache"), RUN)
    assert got.commit == upstream["head"] and got.sha256
    assert open(os.path.join(got.src_dir, "setup.py")).read() == "version='0.5.0'\n"


def evil_tar(path, member, linkname=None):
    with tarfile.open(str(path), "w:gz") as handle:
        info = tarfile.TarInfo(member)
        if linkname is not None:
            info.type = tarfile.SYMTYPE
            info.linkname = linkname
            handle.addfile(info)
        else:
            data = b"x"
            info.size = len(data)
            handle.addfile(info, io.BytesIO(data))
    return str(path)


@pytest.mark.parametrize("member, linkname", [
    ("../evil.py", None), ("/etc/evil", None), ("torch2trt/../../evil", None),
    ("torch2trt/link", "/etc/passwd"), ("torch2trt/link", "../../outside"),
])
def test_archive_with_escaping_members_is_refused(tmp_path, member, linkname):
    archive = evil_tar(tmp_path / "evil.tar.gz", member, linkname)
    with pytest.raises(InputError) as err:
        source.fetch_source(source.parse_source_spec(archive), str(tmp_path / "cache"), RUN)
    assert "refused" in str(err.value)
    assert not os.path.exists(str(tmp_path / "evil.py")) and not os.path.exists(str(tmp_path.parent / "evil"))


def test_zip_with_parent_member_is_refused(tmp_path):
    path = str(tmp_path / "evil.zip")
    with zipfile.ZipFile(path, "w") as handle:
        handle.writestr("../evil.py", "x")
    with pytest.raises(InputError):
        source.fetch_source(source.parse_source_spec(path), str(tmp_path / "cache"), RUN)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves files from ``root``; under /cut/ it promises more bytes than it sends."""

    root = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/cut/"):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"\x1f\x8b" + b"0" * 100)
            return
        path = os.path.join(self.root, self.path.lstrip("/"))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as handle:
            data = handle.read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("www")
    handler = type("Handler", (_Handler,), {"root": str(root)})
    httpd = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, "http://127.0.0.1:{}".format(httpd.server_address[1])
    httpd.shutdown()


def test_archive_url_is_downloaded_once_and_reused_offline(upstream, server, tmp_path):
    root, base = server
    make_git_archive(upstream, root / "master.tar.gz", "tar.gz")
    url = base + "/master.tar.gz"
    cache = str(tmp_path / "cache")
    got = source.fetch_source(source.parse_source_spec(url), cache, RUN)
    assert got.commit == upstream["head"]
    os.unlink(str(root / "master.tar.gz"))  # the server no longer has it: the cache serves
    again = source.fetch_source(source.parse_source_spec(url), cache, RUN)
    assert again.src_dir == got.src_dir and again.commit == got.commit


def test_truncated_download_fails_and_leaves_no_partial_file(server, tmp_path):
    _, base = server
    cache = tmp_path / "cache"
    with pytest.raises(ActionFailed) as err:
        source.fetch_source(source.parse_source_spec(base + "/cut/master.tar.gz"), str(cache), RUN)
    assert "stopped at" in str(err.value)
    assert os.listdir(str(cache / "downloads")) == []
