"""The Ansible role, run by a real ansible-playbook (ansible-core 2.16, the last that manages
Python 3.6) against a fleet on this machine: local connection, one --root tree per host
(Jetson Nano JetPack 4.4 on Python 3.6, Orin Nano JetPack 6.2 on Python 3.10, an x86 box),
each with its own venv whose site-packages is the tree's, and one host that is unreachable.
Installs come from real bundles (`trtsetup bundle`) through `install --from-bundle`."""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from fleet_fixtures import *  # noqa: F401,F403  (the pyz fixture)
from fleet_fixtures import pyenv_python
from helpers import REPO, SystemTree, run_cli
from install_fixtures import make_wheel, runner_wheels  # noqa: F401  (runner_wheels: a fixture)
from trees.jetson import nano_jp44, orin_nano_jp62
from trees.x86 import x86
from trtsetup.executor import execute
from trtsetup.host.live import LiveHost
from trtsetup.plan.step import Step

PLAYBOOK = os.path.join(REPO, "ansible", "site.yml")
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def ansible_playbook():
    for candidate in (os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                      shutil.which("ansible-playbook")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("ansible-playbook is not installed (scripts/run-tests installs ansible-core 2.16 "
                "on the 3.10-3.12 leg)")


class RecordedWheels(Step):
    """Records wheels in the install manifest as torch-install, torchvision-install and
    t2t-build do after a real install (each is tested in its own module), so the real
    `trtsetup bundle` packs them without a 40 s torchvision build per Python version."""

    def __init__(self, step_id, path, key):
        self.id, self.path, self.key = step_id, path, key
        self.summary = "recorded " + os.path.basename(path)

    def is_satisfied(self, ctx):
        return None

    def run(self, ctx):
        from trtsetup.hashing import sha256_file as file_sha256
        return {self.key: self.path, ("sha256" if self.key == "path" else "wheel_sha256"): file_sha256(self.path)}


def make_bundle(base, tag_python, name):
    """A bundle as `trtsetup bundle` writes it on a build device whose target is ``tag_python``."""
    wheels = base / ("wheels-" + name)
    state = base / ("state-" + name)
    steps = [RecordedWheels("torch-install", make_wheel(str(wheels), "torch", "1.6.0"), "path"),
             RecordedWheels("torchvision-install", make_wheel(str(wheels), "torchvision", "0.7.0"), "wheel"),
             RecordedWheels("t2t-build", make_wheel(str(wheels), "torch2trt", "0.5.0"), "wheel")]
    result = execute(steps, LiveHost(), tag_python, str(state / "trtsetup"), str(base / "cache"))
    assert result.error is None, result
    out = str(base / (name + ".bundle"))
    old = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(state)
    try:
        made = run_cli(["bundle", "-o", out, "--python", tag_python])
    finally:
        if old is None:
            del os.environ["XDG_STATE_HOME"]
        else:
            os.environ["XDG_STATE_HOME"] = old
    assert made.exit_code == 0, made
    return out


def host_venv(python, tree, site, pip_wheel):
    """A venv for the host whose site-packages is the tree's ``site`` directory, so what pip
    installs there is what `doctor --root TREE` reads; pip unpacked into it (fast), or the
    interpreter's own ensurepip for 3.6 (the runner's pip no longer runs there)."""
    venv = tree.path("/opt/venv")
    version = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout.strip()
    with_pip = version == "3.6"
    subprocess.run([python, "-m", "venv"] + ([] if with_pip else ["--without-pip"]) + [venv],
                   check=True, timeout=300, stdout=subprocess.DEVNULL)
    venv_site = os.path.join(venv, "lib", "python" + version, "site-packages")
    target = tree.path(site)
    os.makedirs(target, exist_ok=True)
    for entry in os.listdir(venv_site):
        shutil.move(os.path.join(venv_site, entry), os.path.join(target, entry))
    os.rmdir(venv_site)
    os.symlink(target, venv_site)
    if not with_pip:
        import zipfile
        with zipfile.ZipFile(pip_wheel) as archive:
            archive.extractall(target)
    return os.path.join(venv, "bin", "python")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, pyz, runner_wheels):
    playbook = ansible_playbook()
    base = tmp_path_factory.mktemp("fleet")
    hosts = {}
    specs = (("jetson-nano", nano_jp44, pyenv_python("3.6.15"), "/usr/lib/python3.6/dist-packages"),
             ("jetson-orin", orin_nano_jp62, pyenv_python("3.10.13"), "/usr/lib/python3/dist-packages"),
             ("x86-box", x86, sys.executable, "/usr/lib/python3/dist-packages"))
    for name, build, python, site in specs:
        tree = build(SystemTree(base / name))
        hosts[name] = {"tree": tree, "python": host_venv(python, tree, site, runner_wheels["pip"])}
    bundles = {"cp36": make_bundle(base, hosts["jetson-nano"]["python"], "nano"),
               "cp310": make_bundle(base, hosts["jetson-orin"]["python"], "orin")}
    # the x86 box is given the Nano's bundle: it must be refused
    given = {"jetson-nano": bundles["cp36"], "jetson-orin": bundles["cp310"], "x86-box": bundles["cp36"]}
    inventory = {"all": {"hosts": {}, "vars": {"trtsetup_pyz": pyz, "trtsetup_report_dir": str(base / "reports"),
                                               "trtsetup_install_args": ["--no-selftest"]}}}
    for name, host in sorted(hosts.items()):
        root = host["tree"].root
        inventory["all"]["hosts"][name] = {
            "ansible_connection": "local", "ansible_python_interpreter": host["python"],
            "trtsetup_dir": root + "/opt/trtsetup", "trtsetup_facts_dir": root + "/etc/ansible/facts.d",
            # the tree's own interpreter: its site-packages is the venv's (see host_venv)
            "trtsetup_doctor_args": ["--root", root, "--python", "/usr/bin/python3"],
            "trtsetup_plan_args": ["--root", root, "--python", "/usr/bin/python3"],
            "trtsetup_bundle": given[name],
            "trtsetup_environment": {"XDG_STATE_HOME": root + "/state", "XDG_CACHE_HOME": root + "/cache",
                                     "HOME": root + "/home", "PIP_CONFIG_FILE": os.devnull},
        }
    inventory["all"]["hosts"]["jetson-gone"] = {
        "ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": 9,
        "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=3"}
    inventory_path = str(base / "inventory.json")
    with open(inventory_path, "w") as handle:
        json.dump(inventory, handle)
    (base / "ansible.cfg").write_text(u"")
    env = {"PATH": os.path.dirname(playbook) + ":/usr/bin:/bin", "HOME": str(base / "controller-home"),
           "ANSIBLE_CONFIG": str(base / "ansible.cfg"), "ANSIBLE_HOME": str(base / "ansible-home"),
           "ANSIBLE_LOCAL_TEMP": str(base / "ansible-tmp"), "ANSIBLE_REMOTE_TEMP": str(base / "ansible-remote"),
           "ANSIBLE_SSH_CONTROL_PATH_DIR": str(base / "cp"), "ANSIBLE_RETRY_FILES_ENABLED": "0",
           "ANSIBLE_NOCOLOR": "1", "ANSIBLE_PIPELINING": "1", "ANSIBLE_TIMEOUT": "5",
           "ANSIBLE_HOST_KEY_CHECKING": "0", "ANSIBLE_PYTHON_INTERPRETER": "auto_silent", "LANG": "C.UTF-8"}

    def play(*extra):
        start = time.monotonic()
        proc = subprocess.Popen([playbook, "-i", inventory_path, PLAYBOOK] + list(extra), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, universal_newlines=True, env=env, cwd=str(base))
        lines = []
        try:
            for line in proc.stdout:  # each line stamped with seconds since start (task timings)
                lines.append("{:6.1f} {}".format(time.monotonic() - start, line))
            proc.wait(timeout=240)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out = "".join(lines)
        recap = {m.group(1): {"ok": int(m.group(2)), "changed": int(m.group(3)), "unreachable": int(m.group(4)),
                              "failed": int(m.group(5))} for m in RECAP.finditer(re.sub(r"(?m)^ *[0-9.]+ ", "", out))}
        return proc.returncode, recap, out, time.monotonic() - start

    return {"play": play, "hosts": hosts, "reports": str(base / "reports"), "base": base}


def test_playbook_first_run_installs_refuses_the_wrong_bundle_and_survives_a_dead_host(fleet):
    rc, recap, out, seconds = fleet["play"]()
    print("first run: {:.1f} s".format(seconds))
    assert rc == 4, out  # 4: a host was unreachable (2 would be failed tasks only)
    assert recap["jetson-nano"]["failed"] == 0 and recap["jetson-nano"]["changed"] > 0, out
    assert recap["jetson-orin"]["failed"] == 0 and recap["jetson-orin"]["changed"] > 0, out
    assert recap["x86-box"]["failed"] == 1, out
    assert recap["jetson-gone"]["unreachable"] == 1, out
    assert "python_tag is cp36 in the bundle but cp{}{} on this device".format(*sys.version_info[:2]) in out, out
    for name in ("jetson-nano", "jetson-orin"):
        python = fleet["hosts"][name]["python"]
        got = subprocess.run([python, "-c", "import torch, torch2trt; print(torch.__version__, torch2trt.__version__)"],
                             stdout=subprocess.PIPE, universal_newlines=True, cwd="/").stdout.split()
        assert got == ["1.6.0", "0.5.0"]
        fact = json.load(open(fleet["hosts"][name]["tree"].path("/etc/ansible/facts.d/trtsetup.fact")))
        assert fact["schema"] == "trtsetup.fact/1" and fact["name"] == name
        assert fact["versions"]["torch"] == "1.6.0"


def test_playbook_second_run_changes_nothing(fleet):
    rc, recap, out, seconds = fleet["play"]()
    print("second run: {:.1f} s".format(seconds))
    assert rc == 4, out
    assert recap["jetson-nano"]["changed"] == 0 and recap["jetson-nano"]["failed"] == 0, out
    assert recap["jetson-orin"]["changed"] == 0 and recap["jetson-orin"]["failed"] == 0, out


def test_check_mode_plans_and_changes_nothing(fleet):
    rc, recap, out, seconds = fleet["play"]("--check", "--limit", "jetson-nano")
    print("check run: {:.1f} s".format(seconds))
    assert rc == 0, out
    assert recap["jetson-nano"]["changed"] == 0, out
    assert "trtsetup install" in out and "skipping: [jetson-nano]" in out


def test_fleet_report_aggregates_the_fetched_reports(fleet):
    result = run_cli(["fleet", "report", "--json", fleet["reports"]])
    doc = result.json()
    rows = {row["name"]: row for row in doc["devices"]}
    assert sorted(rows) == ["jetson-nano", "jetson-orin", "x86-box"]  # the dead host has no reports
    nano = rows["jetson-nano"]
    assert nano["platform"] == "Jetson Nano (4GB, developer kit), JetPack 4.4 (L4T 32.4.3)"
    assert nano["versions"]["torch"] == "1.6.0" and nano["versions"]["torch2trt"] == "0.5.0"
    assert nano["expected_from"] == "bundle" and nano["drift"] == []
    assert rows["jetson-orin"]["platform"].startswith("Jetson Orin Nano")
    box = rows["x86-box"]
    assert box["install"] == "failed" and box["status"] == "fail"
    assert "does not fit this device: python_tag is cp36 in the bundle" in box["install_error"]
    assert result.exit_code == 1
