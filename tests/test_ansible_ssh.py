"""The Ansible role over real SSH: each host is a network namespace with its own sshd,
hostname and /srv (a bind mount seen only there), the controller sits in a namespace with no
default route (nothing can leave the machine). Needs root, sshd and iproute2; skipped
visibly otherwise. Run 1 installs from a bundle on both hosts; run 2, with every process of
host 2 killed, changes nothing on host 1 and reports host 2 unreachable."""

import json
import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from fleet_fixtures import *  # noqa: F401,F403  (the pyz fixture)
from helpers import REPO, SystemTree
from install_fixtures import runner_wheels  # noqa: F401  (a fixture)
from test_ansible_fleet import PLAYBOOK, RECAP, ansible_playbook, make_bundle
from trees.jetson import orin_nano_jp62
from trees.x86 import x86

SSHD = "/usr/sbin/sshd"
SITE = "/usr/lib/python3/dist-packages"


def _need_namespaces():
    if os.geteuid() != 0:
        pytest.skip("real SSH tests need root (network namespaces, one sshd per host)")
    for tool in (SSHD, shutil.which("ip"), shutil.which("unshare"), shutil.which("ssh-keygen")):
        if not tool or not os.access(tool, os.X_OK):
            pytest.skip("real SSH tests need openssh-server and iproute2 (.ci/run installs them)")


def sh(*argv):
    subprocess.run(list(argv), check=True, timeout=60, stdout=subprocess.DEVNULL)


def kill_namespace(ns):
    pids = subprocess.run(["ip", "netns", "pids", ns], stdout=subprocess.PIPE, universal_newlines=True,
                          timeout=30).stdout.split()
    for pid in pids:
        try:
            os.kill(int(pid), 9)
        except OSError:
            pass


def venv_at(python, physical, inside_site, pip_wheel):
    """A venv built at ``physical``/venv whose site-packages points at ``inside_site`` (a path
    valid inside the host's namespace, where ``physical`` is /srv)."""
    import zipfile
    venv = os.path.join(physical, "venv")
    subprocess.run([python, "-m", "venv", "--without-pip", venv], check=True, timeout=120)
    version = "%d.%d" % sys.version_info[:2]
    site = os.path.join(venv, "lib", "python" + version, "site-packages")
    os.rmdir(site)
    os.symlink(inside_site, site)
    with zipfile.ZipFile(pip_wheel) as archive:
        archive.extractall(os.path.join(physical, "root", inside_site[len("/srv/root/"):]))
    return venv


@pytest.fixture(scope="module")
def ssh_fleet(tmp_path_factory, pyz, runner_wheels):
    _need_namespaces()
    playbook = ansible_playbook()
    base = tmp_path_factory.mktemp("sshfleet")
    tag = uuid.uuid4().hex[:5]
    ctl = "flc" + tag
    names = {"jetson-orin": orin_nano_jp62, "x86-box": x86}
    hosts, procs, namespaces = {}, [], [ctl]
    made_run_sshd = not os.path.isdir("/run/sshd")
    if made_run_sshd:
        os.makedirs("/run/sshd", mode=0o755)
    key = str(base / "id")
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key)
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(base / "hostkey"))
    shutil.copy(key + ".pub", str(base / "authorized_keys"))
    try:
        sh("ip", "netns", "add", ctl)
        sh("ip", "-n", ctl, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", ctl, "addr", "add", "10.231.0.1/24", "dev", "br0")
        sh("ip", "-n", ctl, "link", "set", "br0", "up")
        sh("ip", "-n", ctl, "link", "set", "lo", "up")
        for number, (name, build) in enumerate(sorted(names.items()), 1):
            ns = "flh{}{}".format(tag, number)
            namespaces.append(ns)
            address = "10.231.0.1{}".format(number)
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ctl, "link", "add", "v{}".format(number), "type", "veth", "peer", "name", "eth0",
               "netns", ns)
            sh("ip", "-n", ctl, "link", "set", "v{}".format(number), "master", "br0", "up")
            sh("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            physical = str(base / name)
            tree = build(SystemTree(os.path.join(physical, "root")))
            venv_at(sys.executable, physical, "/srv/root" + SITE, runner_wheels["pip"])
            config = str(base / (name + ".sshd"))
            with open(config, "w") as handle:
                handle.write("\n".join([
                    "ListenAddress " + address, "HostKey " + str(base / "hostkey"), "PidFile none",
                    "AuthorizedKeysFile " + str(base / "authorized_keys"), "PermitRootLogin prohibit-password",
                    "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
                    "StrictModes no", "UseDNS no", "Subsystem sftp /usr/lib/openssh/sftp-server", ""]))
            log = open(str(base / (name + ".log")), "w")
            procs.append(subprocess.Popen(
                ["ip", "netns", "exec", ns, "unshare", "--uts", "--", "sh", "-c",
                 'hostname "$0" && mount --bind "$1" /srv && exec "$2" -D -e -f "$3"', name, physical, SSHD, config],
                stdout=log, stderr=log))
            hosts[name] = {"ns": ns, "address": address, "tree": tree, "log": str(base / (name + ".log"))}
        for host in hosts.values():
            deadline = time.monotonic() + 20
            while "Server listening on" not in open(host["log"]).read():
                assert time.monotonic() < deadline, open(host["log"]).read()
                time.sleep(0.05)
        # the bundle is built for this machine and the venvs' Python: both hosts take it
        bundle = make_bundle(base, sys.executable, "ssh")
        inventory = {"all": {"hosts": {}, "vars": {
            "ansible_user": "root", "ansible_ssh_private_key_file": key,
            "ansible_ssh_common_args": "-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no "
                                       "-o ServerAliveInterval=1 -o ServerAliveCountMax=3",
            "ansible_ssh_args": "-o ControlMaster=auto -o ControlPersist=30s",
            "ansible_remote_tmp": "/srv/.ansible-tmp", "ansible_python_interpreter": "/srv/venv/bin/python",
            "trtsetup_pyz": pyz, "trtsetup_bundle": bundle, "trtsetup_report_dir": str(base / "reports"),
            "trtsetup_dir": "/srv/root/opt/trtsetup", "trtsetup_facts_dir": "/srv/root/etc/ansible/facts.d",
            "trtsetup_doctor_args": ["--root", "/srv/root", "--python", "/usr/bin/python3"],
            "trtsetup_plan_args": ["--root", "/srv/root", "--python", "/usr/bin/python3"],
            "trtsetup_install_args": ["--no-selftest"],
            "trtsetup_environment": {"XDG_STATE_HOME": "/srv/state", "XDG_CACHE_HOME": "/srv/cache",
                                     "HOME": "/srv/home", "PIP_CONFIG_FILE": "/dev/null"}}}}
        for name, host in hosts.items():
            inventory["all"]["hosts"][name] = {"ansible_host": host["address"]}
        inventory_path = str(base / "inventory.json")
        with open(inventory_path, "w") as handle:
            json.dump(inventory, handle)
        (base / "ansible.cfg").write_text(u"")
        env = {"PATH": os.path.dirname(playbook) + ":/usr/bin:/bin", "HOME": str(base / "controller-home"),
               "ANSIBLE_CONFIG": str(base / "ansible.cfg"), "ANSIBLE_HOME": str(base / "ansible-home"),
               "ANSIBLE_LOCAL_TEMP": str(base / "ansible-tmp"), "ANSIBLE_SSH_CONTROL_PATH_DIR": str(base / "cp"),
               "ANSIBLE_RETRY_FILES_ENABLED": "0", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_PIPELINING": "1",
               "ANSIBLE_TIMEOUT": "5", "LANG": "C.UTF-8"}

        def play():
            start = time.monotonic()
            proc = subprocess.run(["ip", "netns", "exec", ctl, playbook, "-i", inventory_path, PLAYBOOK],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                                  env=env, cwd=str(base), timeout=300)
            recap = {m.group(1): {"changed": int(m.group(3)), "unreachable": int(m.group(4)),
                                  "failed": int(m.group(5))} for m in RECAP.finditer(proc.stdout)}
            return proc.returncode, recap, proc.stdout, time.monotonic() - start

        yield {"play": play, "hosts": hosts, "base": base, "reports": str(base / "reports")}
    finally:
        for ns in namespaces:
            kill_namespace(ns)
        for proc in procs:
            proc.wait(timeout=30)
        for ns in namespaces:
            subprocess.run(["ip", "netns", "del", ns], timeout=30)
        if made_run_sshd:
            shutil.rmtree("/run/sshd", ignore_errors=True)


def test_ssh_first_run_installs_then_a_dead_host_is_unreachable_and_the_other_unchanged(ssh_fleet):
    rc, recap, out, seconds = ssh_fleet["play"]()
    print("ssh first run: {:.1f} s".format(seconds))
    assert rc == 0, out
    for name in ("jetson-orin", "x86-box"):
        assert recap[name]["changed"] > 0 and recap[name]["failed"] == 0, out
        tree = ssh_fleet["hosts"][name]["tree"]
        fact = json.load(open(tree.path("/etc/ansible/facts.d/trtsetup.fact")))
        assert fact["name"] == name
        assert os.path.isdir(tree.path(SITE + "/torch2trt"))
    # the Orin tree has JetPack's python3, so the doctor (--root) sees what pip installed; the
    # x86 tree has no system Python for it to read
    fact = json.load(open(ssh_fleet["hosts"]["jetson-orin"]["tree"].path("/etc/ansible/facts.d/trtsetup.fact")))
    assert fact["versions"]["torch"] == "1.6.0" and fact["platform"].startswith("Jetson Orin Nano")
    reports = sorted(os.listdir(ssh_fleet["reports"]))
    assert reports == ["jetson-orin", "x86-box"]

    kill_namespace(ssh_fleet["hosts"]["x86-box"]["ns"])
    rc, recap, out, seconds = ssh_fleet["play"]()
    print("ssh second run, one host dead: {:.1f} s".format(seconds))
    assert rc == 4, out
    assert recap["jetson-orin"]["changed"] == 0 and recap["jetson-orin"]["failed"] == 0, out
    assert recap["x86-box"]["unreachable"] == 1, out
