"""Pure parsers of the NVIDIA container runtime's configuration files, for ``container_runtime``:

* ``/etc/nvidia-container-runtime/config.toml``: ``mode`` (auto/csv/cdi/legacy/jit-cdi) and
  ``[nvidia-container-runtime.modes.csv] mount-spec-path``;
* CDI specs ``/etc/cdi/*.{yaml,json}``, ``/var/run/cdi/*.{yaml,json}`` (``nvidia-ctk cdi
  generate``); on Tegra a csv-mode spec mounts ``/etc/nv_tegra_release``;
* ``/etc/docker/daemon.json``: ``runtimes`` and ``default-runtime``.

Sources: shared/facts/docker-and-fleet.md §1–3. None of them raises on garbage.
"""

import json
from typing import Any, Dict, List, Optional

from ..patterns import lazy


def _json_object(text):
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


_TOML_SECTION = lazy(r"^\s*\[\s*([A-Za-z0-9_.\"-]+)\s*\]\s*(?:#.*)?$")
_TOML_PAIR = lazy(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=\s*(.*?)\s*$")
_TOML_STRING = lazy(r"^\"((?:[^\"\\]|\\.)*)\"\s*(?:#.*)?$|^'([^']*)'\s*(?:#.*)?$")


def parse_config_toml(text):
    # type: (object) -> Optional[Dict[str, str]]
    """The subset of ``config.toml`` the stack check needs: ``{"section.key": "string"}``.

    Only string, boolean and number values on one line (what ``nvidia-ctk`` writes);
    commented-out keys (``#mode = "auto"``) do not count. None when the text is not TOML-ish.
    """
    if not isinstance(text, str):
        return None
    values = {}  # type: Dict[str, str]
    section = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _TOML_SECTION.match(stripped)
        if match:
            section = match.group(1).replace('"', "")
            continue
        match = _TOML_PAIR.match(stripped)
        if not match:
            continue
        key = match.group(1).strip('"')
        raw = match.group(2)
        string = _TOML_STRING.match(raw)
        if string:
            value = string.group(1) if string.group(1) is not None else string.group(2)
        else:
            value = raw.split("#", 1)[0].strip()
            if not value or value.startswith(("[", "{")):
                continue
        values[(section + "." if section else "") + key] = value
    return values


def parse_daemon_json(text):
    # type: (object) -> Optional[Dict[str, Any]]
    """``/etc/docker/daemon.json`` -> ``{"default_runtime": "nvidia" | None, "runtimes":
    ["nvidia"], "runtime_paths": {"nvidia": "nvidia-container-runtime"}}``; None if not JSON."""
    if not isinstance(text, str):
        return None
    doc = _json_object(text)
    if doc is None:
        return None
    runtimes = doc.get("runtimes") if isinstance(doc.get("runtimes"), dict) else {}
    paths = {}
    for name, value in runtimes.items():
        if isinstance(value, dict) and isinstance(value.get("path"), str):
            paths[str(name)] = value["path"]
    default = doc.get("default-runtime")
    return {"default_runtime": default if isinstance(default, str) and default else None,
            "runtimes": sorted(str(n) for n in runtimes), "runtime_paths": paths}


_YAML_KEY = lazy(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[A-Za-z][A-Za-z0-9_]*)\s*:\s*(?P<value>.*?)\s*$")


def _yaml_scalar(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse_cdi_spec(text):
    # type: (object) -> Optional[Dict[str, Any]]
    """A CDI spec (JSON, or the YAML ``nvidia-ctk cdi generate`` writes) ->
    ``{"cdi_version", "kind", "devices": ["all", "0"], "host_paths": [...]}``.

    YAML is read line by line for ``cdiVersion``, ``kind``, device ``name`` entries (the ones
    directly under ``devices:``) and every ``hostPath``; that is all the checks use. None when
    neither a ``kind`` nor a ``cdiVersion`` is found.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return None
    stripped = text.lstrip()
    if stripped.startswith("{"):
        doc = _json_object(text)
        if doc is None:
            return None
        devices = [d.get("name") for d in doc.get("devices") or [] if isinstance(d, dict)]
        host_paths = []  # type: List[str]

        def walk(value):
            if isinstance(value, dict):
                for key, item in value.items():
                    if key == "hostPath" and isinstance(item, str):
                        host_paths.append(item)
                    else:
                        walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)
        walk(doc)
        if not doc.get("kind") and not doc.get("cdiVersion"):
            return None
        return {"cdi_version": _str_or_none(doc.get("cdiVersion")), "kind": _str_or_none(doc.get("kind")),
                "devices": [d for d in devices if isinstance(d, str)], "host_paths": host_paths}
    result = {"cdi_version": None, "kind": None, "devices": [], "host_paths": []}  # type: Dict[str, Any]
    devices_indent = None  # indent of the "devices:" key at top level
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        match = _YAML_KEY.match(line)
        if not match:
            continue
        indent = len(match.group("indent"))
        key, value = match.group("key"), _yaml_scalar(match.group("value"))
        top = indent == 0 and not line.startswith("-")
        if top and key == "cdiVersion":
            result["cdi_version"] = value or None
        elif top and key == "kind":
            result["kind"] = value or None
        elif top and key == "devices":
            devices_indent = 0
        elif top:
            devices_indent = None
        elif key == "name" and devices_indent is not None and (
                (indent == 0 and line.startswith("-")) or (indent == 2 and not line.lstrip().startswith("-"))):
            # "- name: all" or, after "- containerEdits:", "  name: all" (what nvidia-ctk writes)
            result["devices"].append(value)
        if key == "hostPath" and value:
            result["host_paths"].append(value)
    if result["kind"] is None and result["cdi_version"] is None:
        return None
    return result


def _str_or_none(value):
    return value if isinstance(value, str) and value else None
