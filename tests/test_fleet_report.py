"""`trtsetup fleet report`: one table of every device, as text, JSON and an HTML page that a
real browser (headless Chromium) sorts and filters."""

import json
import os
import shutil

import pytest

from fleet_fixtures import add_packages
from helpers import SystemTree, run_cli
from trees.jetson import nano_jp44, orin_nano_jp62
from trees.x86 import x86
from trtsetup.executor import InstallResult, StepOutcome

JP4_SITE = "/usr/lib/python3.6/dist-packages"
JP6_SITE = "/usr/lib/python3/dist-packages"


def write(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(doc if isinstance(doc, str) else json.dumps(doc))


def cli_json(args):
    result = run_cli(args)
    assert result.exit_code in (0, 1), result
    return result.json()


def install_doc(selftest_status="done", speedups=(4.0, 6.0, 5.0), failed=None):
    steps = [StepOutcome("torch-install", "install torch", "skipped", reason="torch 1.10.0 is installed")]
    if failed:
        steps.append(StepOutcome(failed, "build", "failed", reason="the build failed", fix="read the log"))
        steps.append(StepOutcome("selftest", "self-test", "not-run"))
    else:
        models = [{"name": "m{}".format(i), "status": "pass", "speedup": s} for i, s in enumerate(speedups)]
        steps.append(StepOutcome("selftest", "self-test", selftest_status,
                                 details={"selftest": "passed", "models": models}))
    from trtsetup.errors import ActionFailed
    error = ActionFailed("step {} failed".format(failed)) if failed else None
    return InstallResult(steps, changed=not failed, dry_run=False, python="/usr/bin/python3", log_dir=None,
                         manifest_path=None, error=error).to_json()


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory):
    """Reports of three devices as the playbook fetches them: one directory per device."""
    base = tmp_path_factory.mktemp("fleet")
    reports = base / "reports"
    nano = nano_jp44(SystemTree(base / "nano"))
    add_packages(nano, JP4_SITE, {"torch": "1.6.0", "torchvision": "0.7.0", "torch2trt": "0.5.0"})
    orin = orin_nano_jp62(SystemTree(base / "orin"))
    add_packages(orin, JP6_SITE, {"torch": "2.3.0", "torchvision": "0.18.0", "torch2trt": "0.5.0"})
    box = x86(SystemTree(base / "x86"))
    for name, tree in (("nano-01", nano), ("orin-01", orin), ("x86-01", box)):
        write(str(reports / name / "doctor.json"), cli_json(["doctor", "--json", "--root", tree.root]))
        write(str(reports / name / "plan.json"), cli_json(["plan", "--json", "--root", tree.root]))
    write(str(reports / "nano-01" / "install.json"), install_doc())
    write(str(reports / "orin-01" / "install.json"), install_doc(failed="t2t-build"))
    return str(reports)


def rows_by_name(doc):
    return {row["name"]: row for row in doc["devices"]}


def test_fleet_report_json_has_one_row_per_device_with_versions_selftest_and_drift(fleet_dir):
    result = run_cli(["fleet", "report", "--json", fleet_dir])
    assert result.exit_code == 1  # the orin's install failed
    doc = result.json()
    assert doc["schema"] == "trtsetup.fleet-report/1"
    rows = rows_by_name(doc)
    assert sorted(rows) == ["nano-01", "orin-01", "x86-01"]
    nano = rows["nano-01"]
    assert nano["platform"] == "Jetson Nano (4GB, developer kit), JetPack 4.4 (L4T 32.4.3)"
    assert nano["versions"] == {"torch": "1.6.0", "torchvision": "0.7.0", "tensorrt": "7.1.3.0",
                                "torch2trt": "0.5.0"}
    assert (nano["install"], nano["selftest"], nano["speedup"]) == ("changed", "pass", 5.0)
    assert nano["drift"] == []
    orin = rows["orin-01"]
    assert (orin["status"], orin["install"], orin["install_failed_step"]) == ("fail", "failed", "t2t-build")
    # the JetPack 6.2 plan wants another torch than the one installed
    assert [d for d in orin["drift"] if d.startswith("torch ")]
    assert orin["expected_from"] == "plan"
    box = rows["x86-01"]
    assert box["kind"] == "x86" and box["platform"].startswith("x86_64")
    assert box["driver"] == "535.183.01"
    assert "torch missing (plan: " in " ".join(box["drift"])
    assert doc["summary"]["devices"] == 3 and doc["summary"]["fail"] >= 1


def test_fleet_report_text_is_one_table(fleet_dir):
    result = run_cli(["fleet", "report", fleet_dir])
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["device", "status", "platform", "python"]
    assert [line.split()[0] for line in lines[1:4]] == ["nano-01", "orin-01", "x86-01"]
    assert "pass 5.0x" in lines[1]
    assert "failed: t2t-build" in lines[2]
    assert "3 device(s)" in result.stdout


def test_fleet_report_bundle_drift_wins_over_the_plan(fleet_dir, tmp_path):
    reports = str(tmp_path / "r")
    shutil.copytree(os.path.join(fleet_dir, "nano-01"), os.path.join(reports, "nano-01"))
    write(os.path.join(reports, "nano-01", "bundle.json"),
          {"schema": "trtsetup.bundle/1", "versions": {"torch": "1.10.0", "torchvision": "0.7.0",
                                                      "torch2trt": "0.5.0", "tensorrt": "7.1.3.0"}})
    row = rows_by_name(run_cli(["fleet", "report", "--json", reports]).json())["nano-01"]
    assert row["expected_from"] == "bundle"
    assert row["drift"] == ["torch 1.6.0 (bundle: 1.10.0)"]
    assert row["status"] == "warn"  # drift alone warns


def test_fleet_report_names_an_unreadable_file_and_skips_foreign_json(fleet_dir, tmp_path):
    reports = str(tmp_path / "r")
    shutil.copytree(os.path.join(fleet_dir, "x86-01"), os.path.join(reports, "x86-01"))
    write(os.path.join(reports, "x86-01", "broken.json"), '{"schema": "trtsetup.doctor/1", ')
    write(os.path.join(reports, "x86-01", "other.json"), {"hello": "world"})
    result = run_cli(["fleet", "report", "--json", reports])
    doc = result.json()
    assert result.exit_code == 1
    assert len(doc["problems"]) == 1 and "broken.json: not JSON" in doc["problems"][0]
    assert doc["skipped_files"] == 1
    assert [row["name"] for row in doc["devices"]] == ["x86-01"]


def test_fleet_report_without_reports_cannot_run(tmp_path):
    result = run_cli(["fleet", "report", str(tmp_path)])
    assert result.exit_code == 2
    assert "no trtsetup reports found" in result.stderr
    assert run_cli(["fleet", "report", str(tmp_path / "nope")]).exit_code == 2


def test_fleet_report_device_name_from_document_or_file_name(fleet_dir, tmp_path):
    with open(os.path.join(fleet_dir, "nano-01", "doctor.json")) as handle:
        doc = json.load(handle)
    flat = tmp_path / "flat"
    write(str(flat / "edge-7.doctor.json"), doc)
    doc["device"] = "named-in-doc"
    write(str(flat / "whatever.json"), doc)
    names = [row["name"] for row in run_cli(["fleet", "report", "--json", str(flat)]).json()["devices"]]
    assert names == ["edge-7", "named-in-doc"]
    # one device's directory, given directly
    one = run_cli(["fleet", "report", "--json", os.path.join(fleet_dir, "nano-01")]).json()["devices"]
    assert [row["name"] for row in one] == ["nano-01"] and len(one[0]["sources"]) == 3


# -- the HTML page in a real browser ----------------------------------------------------------------

def _chromium():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (scripts/run-tests "
                                                               "installs it on the 3.10-3.12 leg)")
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        pytest.skip("headless Chromium is not installed (apt-get install chromium chromium-driver; .ci/run does)")
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1500,700"):
        options.add_argument(arg)
    # An explicit driver path: selenium never tries to download one (no network here).
    from selenium.common.exceptions import WebDriverException
    try:
        return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except WebDriverException:  # seen once: Chromium slow to start on a loaded 2-core machine
        return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


@pytest.fixture(scope="module")
def browser():
    driver = _chromium()
    yield driver
    driver.quit()


def visible_names(browser):
    return browser.execute_script(
        "return Array.prototype.filter.call(document.querySelectorAll('#fleet tbody tr'),"
        "function(r){return !r.hidden;}).map(function(r){return r.cells[0].textContent;});")


def test_fleet_report_html_sorts_and_filters_in_chromium(fleet_dir, tmp_path, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    page = str(tmp_path / "fleet.html")
    result = run_cli(["fleet", "report", "--html", page, fleet_dir])
    assert result.exit_code == 1 and "wrote " + page in result.stderr
    with open(page) as handle:
        text = handle.read()
    assert "http://" not in text and "https://" not in text  # nothing to fetch: works offline
    browser.get("file://" + page)
    assert visible_names(browser) == ["nano-01", "orin-01", "x86-01"]
    assert browser.find_element(By.ID, "shown").text == "3 of 3 devices shown"

    statuses = {row["name"]: row["status"] for row in run_cli(["fleet", "report", "--json", fleet_dir]).json()["devices"]}
    # click a header twice: descending
    header = browser.find_element(By.XPATH, "//th[text()='device']")
    header.click()
    header.click()
    assert visible_names(browser) == ["x86-01", "orin-01", "nano-01"]
    assert header.get_attribute("aria-sort") == "descending"
    browser.find_element(By.XPATH, "//th[text()='status']").click()
    order = [statuses[n] for n in visible_names(browser)]
    assert order == sorted(order, key=["fail", "warn", "unknown", "ok"].index)  # worst first
    browser.find_element(By.XPATH, "//th[text()='selftest']").click()
    assert visible_names(browser)[0] == "nano-01"  # the only speed-up; empty cells go last

    box = browser.find_element(By.ID, "filter")
    box.send_keys("jetpack")
    assert sorted(visible_names(browser)) == ["nano-01", "orin-01"]
    box.send_keys(" 4.4")
    assert visible_names(browser) == ["nano-01"]
    assert browser.find_element(By.ID, "shown").text == "1 of 3 devices shown"
    box.clear()
    box.send_keys(" ")  # clear() does not fire input events; a keystroke does
    Select(browser.find_element(By.ID, "status")).select_by_value("ok")
    assert sorted(visible_names(browser)) == sorted(n for n, s in statuses.items() if s == "ok")
    Select(browser.find_element(By.ID, "status")).select_by_value("fail")
    assert sorted(visible_names(browser)) == sorted(n for n, s in statuses.items() if s == "fail")
    shot = os.environ.get("TRTSETUP_SCREENSHOT")
    if shot:
        browser.save_screenshot(shot)


@pytest.mark.parametrize("doc", [
    {"schema": "trtsetup.doctor/1", "platform": "garbage", "checks": "x"},
    {"schema": "trtsetup.doctor/1", "platform": {"jetson": [], "python": {"packages": {"torch": 3}}},
     "checks": [None, {"id": 1, "status": "fail"}]},
    {"schema": "trtsetup.install/1", "steps": [None, {"id": "selftest", "status": "done", "details": "x"}]},
    {"schema": "trtsetup.plan/1", "target": [], "steps": [{"id": "t2t-source", "params": {"ref": 5}}]},
    {"schema": "trtsetup.selftest/1", "status": "pass", "models": [{"status": "pass", "speedup": "fast"}]},
    {"schema": "trtsetup.bundle/1", "versions": {"torch": None}},
])
def test_fleet_report_never_crashes_on_odd_documents(tmp_path, doc):
    write(str(tmp_path / "dev" / "x.json"), doc)
    result = run_cli(["fleet", "report", "--json", str(tmp_path)])
    assert result.exit_code in (0, 1), result
    assert [row["name"] for row in result.json()["devices"]] == ["dev"]
