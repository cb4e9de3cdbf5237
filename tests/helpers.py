"""Test helpers: a system-tree builder and a way to run the real CLI."""

import io
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SystemTree(object):
    """A fake ``/`` under a temporary directory, written one file at a time.

    Presets (a Jetson of a given L4T, an x86 box with a driver) live in ``tests/trees/``
    and call these methods, so a new platform is a few lines.
    """

    def __init__(self, root):
        self.root = str(root)
        os.makedirs(self.root, exist_ok=True)

    def path(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def write(self, path, content, mode=None):
        full = self.path(path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if os.path.lexists(full) and os.path.islink(full):
            os.unlink(full)
        data = content.encode("utf-8") if isinstance(content, str) else content
        with open(full, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(full, mode)
        return self

    def mkdir(self, path):
        os.makedirs(self.path(path), exist_ok=True)
        return self

    def symlink(self, path, target):
        full = self.path(path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if os.path.lexists(full):
            os.unlink(full)
        os.symlink(target, full)
        return self

    def remove(self, path):
        full = self.path(path)
        if os.path.lexists(full):
            os.unlink(full)
        return self

    def environ(self, **variables):
        """Environment of PID 1 (what a container image's ENV becomes)."""
        data = b"".join("{}={}".format(k, v).encode() + b"\0" for k, v in sorted(variables.items()))
        existing = b""
        full = self.path("/proc/1/environ")
        if os.path.exists(full):
            with open(full, "rb") as handle:
                existing = handle.read()
        return self.write("/proc/1/environ", existing + data)

    def dpkg(self, packages, arch="arm64"):
        """Append installed packages (name -> version) to var/lib/dpkg/status."""
        full = self.path("/var/lib/dpkg/status")
        text = ""
        if os.path.exists(full):
            with open(full, "r") as handle:
                text = handle.read()
        for name, version in packages.items():
            text += ("Package: {}\nStatus: install ok installed\nPriority: optional\n"
                     "Architecture: {}\nVersion: {}\nDescription: {}\n\n").format(name, arch, version, name)
        return self.write("/var/lib/dpkg/status", text)


class CliResult(object):
    def __init__(self, exit_code, stdout, stderr):
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    def json(self):
        return json.loads(self.stdout)

    def __repr__(self):
        return "CliResult(exit_code={}, stdout={!r}, stderr={!r})".format(
            self.exit_code, self.stdout[-2000:], self.stderr[-2000:])


def run_cli(args, env=None):
    """Run the real CLI entry point in-process, with stdout and stderr kept apart.

    Uses click's runner isolation around ``entry.main`` (which maps errors to exit codes),
    hiding the ``mix_stderr`` argument that click 8.2 removed.
    """
    from click.testing import CliRunner
    from trtsetup import entry
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stdout and stderr apart by itself
    with runner.isolation(env=env) as streams:
        exit_code = entry.main(list(args))
        sys.stdout.flush()
        sys.stderr.flush()
        out = streams[0].getvalue().decode("utf-8", "replace")
        err = streams[1].getvalue().decode("utf-8", "replace") if streams[1] is not None else ""
    return CliResult(exit_code, out, err)


def run_module(args, env=None, cwd=None, python=None, timeout=120):
    """Run ``python -m trtsetup`` as a real subprocess."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = REPO + os.pathsep + full_env.get("PYTHONPATH", "")
    if env:
        full_env.update(env)
    proc = subprocess.run([python or sys.executable, "-m", "trtsetup"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env,
                          cwd=cwd, timeout=timeout)
    return CliResult(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                     proc.stderr.decode("utf-8", "replace"))
