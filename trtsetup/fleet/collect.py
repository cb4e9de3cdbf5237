"""One device's reports -> one row of the fleet table (pure: documents in, values out).

What each column is read from:

- platform, versions, failing checks: the doctor report (``trtsetup.doctor/1``);
- install: the install report (``trtsetup.install/1``): changed, converged or the failed step;
  or the error document (``trtsetup.error/1``) an install that could not run printed;
- self-test: a ``trtsetup.selftest/1`` report, else the install's ``selftest`` step; the
  speed-up is the median over the models that passed (TensorRT vs PyTorch time);
- drift: the versions the bundle (``trtsetup.bundle/1``) or else the plan (``trtsetup.plan/1``)
  asked for, against what the doctor found installed.

A missing document leaves its columns ``None``; rendering decides how to show that.
"""

from functools import lru_cache
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

PACKAGES = ("torch", "torchvision", "tensorrt", "torch2trt")
STATUSES = ("ok", "warn", "fail", "unknown")


class DeviceRow(NamedTuple):
    """One device, e.g. ``DeviceRow(name="nano-01", status="fail", kind="jetson",
    platform="Jetson Nano (4GB, developer kit), JetPack 4.6.1 (L4T 32.7.1)", ...,
    versions={"torch": "1.10.0", ...}, failing=["py-torch-imports"], selftest="pass",
    speedup=4.5, drift=["torch 1.9.0 (plan: 1.10.0)"])``."""

    name: str
    status: str                     # ok | warn | fail | unknown (no doctor report)
    kind: Optional[str]             # jetson | x86 | None
    platform: Optional[str]         # one line a person reads
    module: Optional[str]
    jetpack: Optional[str]
    l4t: Optional[str]
    driver: Optional[str]
    cuda: Optional[str]
    python: Optional[str]
    versions: Dict[str, Optional[str]]
    failing: List[str]              # check ids with status fail
    warnings: List[str]             # check ids with status warn
    install: Optional[str]          # changed | unchanged | would-change | failed | None
    install_failed_step: Optional[str]
    install_error: Optional[str]    # the message when install could not run (a refused bundle)
    selftest: Optional[str]         # pass | fail | cannot-run | skipped | None
    speedup: Optional[float]
    expected_from: Optional[str]    # bundle | plan | None
    drift: List[str]
    sources: List[str]

    def to_json(self):
        return dict(self._asdict())


def collect_device(name, documents):
    # type: (str, List[Tuple[str, Dict[str, Any]]]) -> DeviceRow
    """The row for ``name`` from its ``(path, document)`` pairs (later paths win)."""
    by_schema = {}  # type: Dict[str, Dict[str, Any]]
    for _path, doc in documents:
        by_schema[str(doc.get("schema")).split("/")[0]] = doc
    doctor = by_schema.get("trtsetup.doctor")
    install = by_schema.get("trtsetup.install")
    platform = doctor.get("platform") if isinstance(doctor, dict) else None
    platform = platform if isinstance(platform, dict) else {}
    jetson = _dict(platform.get("jetson"))
    nvidia = _dict(platform.get("nvidia"))
    cuda = _dict(platform.get("cuda"))
    python = _dict(platform.get("python"))
    versions = installed_versions(platform)
    failing, warnings = _check_ids(doctor)
    install_state, failed_step = _install_state(install)
    refused = by_schema.get("trtsetup.error")  # what install printed when it could not run
    install_error = refused.get("error") if isinstance(refused, dict) else None
    if install_error is not None and install is None:
        install_state = "failed"
    selftest, speedup = _selftest(by_schema.get("trtsetup.selftest"), install)
    bundle = by_schema.get("trtsetup.bundle") or (_dict(install.get("bundle")) if isinstance(install, dict) else None)
    expected_from, expected = _expected(bundle or None, by_schema.get("trtsetup.plan"))
    drift = find_drift(expected, versions, expected_from) if doctor is not None else []
    kind = None
    if doctor is not None:
        kind = "jetson" if jetson.get("is_jetson") or jetson.get("l4t") else "x86"
    row = DeviceRow(
        name=name, status="unknown", kind=kind, platform=_platform_line(kind, platform),
        module=jetson.get("module") or jetson.get("model"), jetpack=jetson.get("jetpack"),
        l4t=jetson.get("l4t"), driver=nvidia.get("driver_version"), cuda=cuda.get("version"),
        python=python.get("version"), versions=versions, failing=failing, warnings=warnings,
        install=install_state, install_failed_step=failed_step, install_error=install_error, selftest=selftest, speedup=speedup,
        expected_from=expected_from, drift=drift, sources=[path for path, _ in documents])
    return row._replace(status=judge(row, doctor is not None))


def judge(row, have_doctor):
    # type: (DeviceRow, bool) -> str
    if not have_doctor and row.install is None:
        return "unknown"
    if row.failing or row.install == "failed" or row.selftest in ("fail", "cannot-run"):
        return "fail"
    if row.warnings or row.drift or row.install == "would-change":
        return "warn"
    return "ok"


def installed_versions(platform):
    # type: (Dict[str, Any]) -> Dict[str, Optional[str]]
    packages = _dict(_dict(platform.get("python")).get("packages"))
    versions = {}  # type: Dict[str, Optional[str]]
    for name in PACKAGES:
        versions[name] = _dict(packages.get(name)).get("version")
    tensorrt = _dict(platform.get("tensorrt"))
    # The system TensorRT (header/library) is what torch2trt builds against.
    versions["tensorrt"] = tensorrt.get("version") or versions["tensorrt"]
    torch = _dict(_dict(platform.get("python")).get("torch"))
    versions["torch"] = versions["torch"] or torch.get("version")
    versions["torchvision"] = versions["torchvision"] or torch.get("torchvision_version")
    return versions


def _expected(bundle, plan):
    if isinstance(bundle, dict) and isinstance(bundle.get("versions"), dict):
        return "bundle", {k: v for k, v in bundle["versions"].items() if k in PACKAGES}
    if isinstance(plan, dict):
        return "plan", expected_from_plan(plan)
    return None, {}


def expected_from_plan(plan):
    # type: (Dict[str, Any]) -> Dict[str, Optional[str]]
    target = _dict(plan.get("target"))
    params = {}
    for step in plan.get("steps") or []:
        if isinstance(step, dict) and isinstance(step.get("params"), dict):
            params[step.get("id")] = step["params"]
    ref = _dict(params.get("t2t-source")).get("ref") or target.get("torch2trt_ref")
    return {
        "torch": target.get("torch") or _dict(params.get("torch-install")).get("version"),
        "torchvision": _dict(params.get("torchvision-install")).get("version"),
        "tensorrt": target.get("tensorrt"),
        "torch2trt": _ref_version(ref),
    }


def _ref_version(ref):
    """torch2trt's version from a release tag (``v0.5.0`` -> ``0.5.0``); None for a branch
    or commit, which the installed metadata cannot be compared with."""
    if not isinstance(ref, str):
        return None
    text = ref[1:] if ref.startswith("v") else ref
    try:
        Version(text)
    except InvalidVersion:
        return None
    return text if "." in text else None


def find_drift(expected, installed, origin):
    # type: (Dict[str, Optional[str]], Dict[str, Optional[str]], Optional[str]) -> List[str]
    """``["torch 1.9.0 (plan: 1.10.0)", "torch2trt missing (bundle: 0.5.0)"]``: each package
    whose installed version is not the one asked for."""
    drift = []
    for name in PACKAGES:
        want = expected.get(name)
        have = installed.get(name)
        if not want or same_version(want, have):
            continue
        drift.append("{} {} ({}: {})".format(name, have or "missing", origin, want))
    return drift


@lru_cache(maxsize=4096)  # a fleet repeats a handful of version pairs a thousand times
def same_version(want, have):
    # type: (str, Optional[str]) -> bool
    """``1.6.0`` matches ``1.6.0+cu102``; a local label asked for must match exactly; a
    wildcard or range (``2.5.*``, ``>=2.3,<2.6``) is a specifier."""
    if have is None:
        return False
    if any(mark in want for mark in "*<>=!~,"):
        spec = want if want[0] in "<>=!~" else "==" + want
        try:
            return Version(have) in SpecifierSet(spec)
        except (InvalidSpecifier, InvalidVersion):
            return want == have
    try:
        w, h = Version(want), Version(have)
    except InvalidVersion:
        return want == have
    if w.local:
        return w == h
    return w.public == h.public


def _check_ids(doctor):
    failing, warnings = [], []
    if not isinstance(doctor, dict):
        return failing, warnings
    for check in doctor.get("checks") or []:
        if not isinstance(check, dict):
            continue
        if check.get("status") == "fail":
            failing.append(str(check.get("id")))
        elif check.get("status") == "warn":
            warnings.append(str(check.get("id")))
    return failing, warnings


def _install_state(install):
    if not isinstance(install, dict):
        return None, None
    steps = [s for s in install.get("steps") or [] if isinstance(s, dict)]
    failed = [s.get("id") for s in steps if s.get("status") in ("failed", "blocked")]
    if install.get("exit_code") not in (0, None) or failed or install.get("error"):
        return "failed", failed[0] if failed else None
    if install.get("dry_run"):
        return ("would-change" if any(s.get("status") == "would-run" for s in steps) else "unchanged"), None
    return ("changed" if install.get("changed") else "unchanged"), None


def _selftest(selftest, install):
    if isinstance(selftest, dict):
        return selftest.get("status"), median_speedup(selftest.get("models"))
    if not isinstance(install, dict):
        return None, None
    for step in install.get("steps") or []:
        if not isinstance(step, dict) or step.get("id") != "selftest":
            continue
        details = _dict(step.get("details"))
        status = step.get("status")
        if status == "done":
            return "pass", median_speedup(details.get("models"))
        if status == "skipped":
            # satisfied: it passed on an earlier run (the step remembers its models)
            return ("pass" if "passed" in (step.get("reason") or "") else "skipped"), \
                median_speedup(details.get("models"))
        if status in ("failed", "blocked"):
            return "fail", None
        return None, None
    return None, None


def median_speedup(models):
    # type: (Any) -> Optional[float]
    values = sorted(float(m["speedup"]) for m in models or []
                    if isinstance(m, dict) and m.get("status") == "pass"
                    and isinstance(m.get("speedup"), (int, float)))
    if not values:
        return None
    middle = len(values) // 2
    value = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2.0
    return round(value, 2)


def _platform_line(kind, platform):
    if kind is None:
        return None
    if kind == "jetson":
        j = _dict(platform.get("jetson"))
        return "{}, JetPack {} (L4T {})".format(j.get("module") or j.get("model") or "Jetson (module unknown)",
                                                j.get("jetpack") or "?", j.get("l4t") or "?")
    gpus = [g for g in platform.get("gpus") or [] if isinstance(g, dict)]
    gpu = gpus[0].get("name") if gpus else None
    driver = _dict(platform.get("nvidia")).get("driver_version")
    cuda = _dict(platform.get("cuda")).get("version")
    parts = [platform.get("arch") or "x86_64"]
    if gpu:
        parts.append(gpu + (" x{}".format(len(gpus)) if len(gpus) > 1 else ""))
    parts.append("driver {}".format(driver or "?"))
    parts.append("CUDA {}".format(cuda or "?"))
    return ", ".join(parts)


def _dict(value):
    return value if isinstance(value, dict) else {}
