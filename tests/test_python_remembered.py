"""doctor remembers the target interpreter's answer about itself (prefix, venv, site dirs) and
asks again when a file it depends on changes: the interpreter, a site dir, a .pth file.

Each venv holds a .pth whose ``import`` line appends to a counter file, so every start of the
target interpreter is counted (site runs a .pth ``import`` line at each start)."""

import glob
import os
import sys


from test_probe_python import _dist_info, _venv

from helpers import run_cli

FIELDS = ("executable", "prefix", "site_dirs", "is_venv")


def _counted_venv(tmp_path):
    """A real venv (of the Python running the tests) whose every start is counted."""
    exe, site = _venv(sys.executable, tmp_path / "env")
    counter = str(tmp_path / "starts.txt")
    with open(os.path.join(site, "zz_count_starts.pth"), "w") as handle:
        handle.write("import os; open({!r}, 'a').write('start\\n')\n".format(counter))
    return exe, site, counter


def _starts(counter):
    if not os.path.exists(counter):
        return 0
    with open(counter) as handle:
        return handle.read().count("start")


def _env(tmp_path):
    return {"XDG_CACHE_HOME": str(tmp_path / "cache")}


def _doctor(exe, tmp_path, *extra):
    result = run_cli(["doctor", "--fast", "--json", "--python", exe] + list(extra), env=_env(tmp_path))
    assert result.exit_code in (0, 1), result  # 1: some check fails on this box, not a crash
    return result.json()["platform"]["python"]


def _seen(python):
    return {field: python[field] for field in FIELDS}


def _remembered_files(tmp_path):
    return glob.glob(str(tmp_path / "cache" / "trtsetup" / "probes" / "python-*.json"))


def test_second_doctor_does_not_start_the_interpreter_and_says_the_same(tmp_path):
    exe, site, counter = _counted_venv(tmp_path)
    first = _doctor(exe, tmp_path)
    asked = _starts(counter)
    assert asked >= 1 and first["error"] is None
    assert first["is_venv"] is True and first["prefix"] == str(tmp_path / "env") and site in first["site_dirs"]
    assert len(_remembered_files(tmp_path)) == 1

    second = _doctor(exe, tmp_path)
    assert _starts(counter) == asked  # not started again
    assert _seen(second) == _seen(first)
    third = _doctor(exe, tmp_path)
    assert _starts(counter) == asked and _seen(third) == _seen(first)


def test_a_new_pth_with_a_package_behind_it_is_seen_on_the_next_run(tmp_path):
    # What `pip install -e ./torch2trt` does to a venv: a .pth naming the checkout.
    exe, site, counter = _counted_venv(tmp_path)
    first = _doctor(exe, tmp_path)
    _doctor(exe, tmp_path)
    asked = _starts(counter)

    extra = str(tmp_path / "torch2trt")
    _dist_info(extra, "torch2trt", "0.5.0")
    with open(os.path.join(site, "__editable__.torch2trt-0.5.0.pth"), "w") as handle:
        handle.write(extra + "\n")
    after = _doctor(exe, tmp_path)
    assert _starts(counter) > asked  # asked again
    assert extra in after["site_dirs"] and extra not in first["site_dirs"]
    assert "torch2trt" not in first["packages"]
    assert after["packages"]["torch2trt"]["version"] == "0.5.0"

    # ... and the new answer is remembered in turn.
    asked = _starts(counter)
    again = _doctor(exe, tmp_path)
    assert _starts(counter) == asked and extra in again["site_dirs"]


def test_an_edited_pth_is_asked_again(tmp_path):
    exe, site, counter = _counted_venv(tmp_path)
    old, new = str(tmp_path / "old"), str(tmp_path / "new")
    os.makedirs(old)
    os.makedirs(new)
    pth = os.path.join(site, "paths.pth")
    with open(pth, "w") as handle:
        handle.write(old + "\n")
    first = _doctor(exe, tmp_path)
    _doctor(exe, tmp_path)
    asked = _starts(counter)
    assert old in first["site_dirs"] and new not in first["site_dirs"]

    mtime = os.stat(site).st_mtime_ns
    with open(pth, "w") as handle:  # same file, same length, same directory entry
        handle.write(new + "\n")
    assert os.stat(site).st_mtime_ns == mtime  # the site dir itself did not change
    after = _doctor(exe, tmp_path)
    assert _starts(counter) > asked
    assert new in after["site_dirs"] and old not in after["site_dirs"]


def test_refresh_asks_again(tmp_path):
    exe, site, counter = _counted_venv(tmp_path)
    first = _doctor(exe, tmp_path)
    _doctor(exe, tmp_path)
    asked = _starts(counter)
    refreshed = _doctor(exe, tmp_path, "--refresh")
    assert _starts(counter) > asked and _seen(refreshed) == _seen(first)
    asked = _starts(counter)
    _doctor(exe, tmp_path)  # the refreshed answer is remembered
    assert _starts(counter) == asked


def test_a_wrapper_script_is_asked_every_time(tmp_path):
    exe, site, counter = _counted_venv(tmp_path)
    wrapper = str(tmp_path / "bin" / "python3")
    os.makedirs(os.path.dirname(wrapper))
    with open(wrapper, "w") as handle:
        handle.write('#!/bin/sh\nexec {} "$@"\n'.format(exe))
    os.chmod(wrapper, 0o755)

    starts = []
    for _ in range(3):
        python = _doctor(wrapper, tmp_path)
        assert python["error"] is None and python["is_venv"] is True
        assert python["prefix"] == str(tmp_path / "env")
        starts.append(_starts(counter))
    assert starts[0] >= 1 and starts[2] > starts[1] > starts[0]
    assert _remembered_files(tmp_path) == []


def test_a_damaged_cache_file_is_asked_again(tmp_path):
    exe, site, counter = _counted_venv(tmp_path)
    first = _doctor(exe, tmp_path)
    asked = _starts(counter)
    [remembered] = _remembered_files(tmp_path)
    with open(remembered, "rb") as handle:
        data = handle.read()
    with open(remembered, "wb") as handle:
        handle.write(data[:len(data) // 2])  # cut short, as by a full disk or a kill

    after = _doctor(exe, tmp_path)
    assert _starts(counter) > asked and _seen(after) == _seen(first)
    asked = _starts(counter)
    _doctor(exe, tmp_path)  # the entry was written whole again
    assert _starts(counter) == asked


def test_a_pth_naming_a_directory_created_later_is_asked_again(tmp_path):
    # A checkout removed and cloned again (or a mount not there yet) behind a .pth line.
    exe, site, counter = _counted_venv(tmp_path)
    later = str(tmp_path / "torch2trt")
    with open(os.path.join(site, "torch2trt.pth"), "w") as handle:
        handle.write(later + "\n")
    first = _doctor(exe, tmp_path)
    assert later not in first["site_dirs"]  # site skips a missing directory
    _dist_info(later, "torch2trt", "0.5.0")
    after = _doctor(exe, tmp_path)
    assert later in after["site_dirs"] and after["packages"]["torch2trt"]["version"] == "0.5.0"
