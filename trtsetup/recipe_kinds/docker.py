"""Validators for the Docker recipes: ``docker_runtime`` (the container stack, CSV components,
image-fit rules) and ``docker_images`` (images NVIDIA published, keyed by reference)."""

import re

from ..patterns import lazy
from .fields import fail, require, require_version

IMAGE_REF = lazy(r"^[a-z0-9][a-z0-9./_-]*(:[A-Za-z0-9][A-Za-z0-9._-]*)?$")
L4T = lazy(r"^\d+\.\d+\.\d+$")
MAJOR = lazy(r"^\d+$")
RELEASE = lazy(r"^\d\d\.\d\d$")
L4T_LINE = lazy(r"^\d+\.\d+$")
DEB_VERSION = lazy(r"^[0-9][A-Za-z0-9.+~-]*$")
CONFIDENCE = ("V", "V2", "K", "?")
_RUNTIME_TYPES = ("stack", "component", "image_fit", "kernel_l4t")
_ROLES = ("base", "tensorrt", "tensorrt-devel", "pytorch")


def _strings(filename, key, entry, name, pattern=None, optional=False):
    values = require(filename, key, entry, name, list, optional=optional)
    for value in values or []:
        if not isinstance(value, str) or (pattern is not None and not pattern.match(value)):
            fail(filename, "{}.{}".format(key, name), "unexpected item {!r}".format(value))
    return values


def _absolute_patterns(filename, key, entry, name):
    for value in _strings(filename, key, entry, name) or []:
        if not value.startswith("/"):
            fail(filename, "{}.{}".format(key, name), "paths must be absolute: {!r}".format(value))


def validate_docker_runtime(filename, entries):
    if not isinstance(entries, dict):
        fail(filename, "entries", "expected an object")
    for key, entry in entries.items():
        if not isinstance(entry, dict):
            fail(filename, key, "expected an object")
        require(filename, key, entry, "source", str)
        kind = require(filename, key, entry, "type", str)
        if kind not in _RUNTIME_TYPES:
            fail(filename, "{}.type".format(key), "expected one of {}, got {!r}".format(", ".join(_RUNTIME_TYPES), kind))
        if kind == "stack":
            for name in ("config_path", "default_mount_spec_path", "daemon_json", "csv_mounts_env"):
                require(filename, key, entry, name, str)
            for name in ("base_only_libnvidia_container", "base_only_toolkit", "cdi_generate_toolkit",
                         "runtime_configure_toolkit"):
                value = require(filename, key, entry, name, str)
                if not DEB_VERSION.match(value):
                    fail(filename, "{}.{}".format(key, name), "not a package version: {!r}".format(value))
            _strings(filename, key, entry, "base_files")
            _absolute_patterns(filename, key, entry, "cdi_dirs")
            require(filename, key, entry, "host_libraries_until_l4t_major", int)
        elif kind == "component":
            csv = require(filename, key, entry, "csv", str)
            if not csv.endswith(".csv") or "/" in csv:
                fail(filename, "{}.csv".format(key), "expected a file name like 'tensorrt.csv', got {!r}".format(csv))
            _strings(filename, key, entry, "packages")
            _strings(filename, key, entry, "coverage_packages")
            for name in ("keep", "scan", "also"):
                _absolute_patterns(filename, key, entry, name)
        elif kind == "image_fit":
            if not re.match(r"^r\d+$", key):
                fail(filename, key, "image_fit keys are 'r<L4T major>' like 'r36'")
            _strings(filename, key, entry, "boundaries", L4T_LINE)
            exact = require(filename, key, entry, "exact_below", str, optional=True)
            if exact is not None and not L4T_LINE.match(exact):
                fail(filename, "{}.exact_below".format(key), "expected like '32.7', got {!r}".format(exact))
            require(filename, key, entry, "l4t_images", bool)
            require(filename, key, entry, "never", str)
        else:
            mapping = require(filename, key, entry, "map", dict)
            for kernel, major in mapping.items():
                if not L4T_LINE.match(kernel) or not isinstance(major, str) or not MAJOR.match(major):
                    fail(filename, "{}.map.{}".format(key, kernel), "expected 'X.Y': 'NN', got {!r}".format(major))
    return entries


def validate_docker_images(filename, entries):
    if not isinstance(entries, dict):
        fail(filename, "entries", "expected an object keyed by image reference")
    for key, entry in entries.items():
        if not IMAGE_REF.match(key):
            fail(filename, key, "not an image reference like 'nvcr.io/nvidia/l4t-base:r32.7.1'")
        if not isinstance(entry, dict):
            fail(filename, key, "expected an object")
        require(filename, key, entry, "source", str)
        confidence = require(filename, key, entry, "confidence", str)
        if confidence not in CONFIDENCE:
            fail(filename, "{}.confidence".format(key), "expected one of {}".format(", ".join(CONFIDENCE)))
        require(filename, key, entry, "note", str, optional=True)
        role = require(filename, key, entry, "role", str)
        if role not in _ROLES:
            fail(filename, "{}.role".format(key), "expected one of {}, got {!r}".format(", ".join(_ROLES), role))
        platform = require(filename, key, entry, "platform", str)
        if platform == "jetson":
            l4t = require(filename, key, entry, "l4t", str, optional=True)
            majors = _strings(filename, key, entry, "l4t_majors", MAJOR, optional=True)
            if (l4t is None) == (majors is None):
                fail(filename, key, "a Jetson image has exactly one of 'l4t' (like '32.7.1') or 'l4t_majors'")
            if l4t is not None and not L4T.match(l4t):
                fail(filename, "{}.l4t".format(key), "expected like '32.7.1', got {!r}".format(l4t))
        elif platform == "ngc":
            release = require(filename, key, entry, "release", str)
            if not RELEASE.match(release):
                fail(filename, "{}.release".format(key), "expected YY.MM, got {!r}".format(release))
            require_version(filename, key, entry, "cuda")
            require_version(filename, key, entry, "tensorrt", optional=True)
            driver = require(filename, key, entry, "min_driver", int)
            if isinstance(driver, bool) or driver < 100:
                fail(filename, "{}.min_driver".format(key), "expected a driver branch like 535")
            require_version(filename, key, entry, "min_compute_capability")
            _strings(filename, key, entry, "jetson_l4t_major", MAJOR, optional=True)
        else:
            fail(filename, "{}.platform".format(key), "expected 'jetson' or 'ngc', got {!r}".format(platform))
    return entries
