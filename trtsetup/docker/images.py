"""Which container images fit this host, and how to run them (pure: facts + recipes).

Jetson: an ``l4t-*`` image fits when the ``image_fit`` rule of the host's L4T major says so
(same major; same side of every boundary such as 36.4; the exact release below
``exact_below``). JetPack 7 hosts take no ``l4t-*`` image, only the SBSA NGC rows listed for
them. x86 / SBSA: the newest NGC release whose minimum driver branch and GPU floor this host
meets. Only rows in ``docker_images.json`` (tags NVIDIA published) are ever recommended.
"""

from typing import Any, List, NamedTuple, Optional, Tuple

from packaging.version import InvalidVersion, Version

from ..probes.container_runtime import runtime_table, stack_entry
from .stack import compare_deb_versions, csv_reading

ROLES = ("base", "tensorrt", "tensorrt-devel", "pytorch")


class ImageChoice(NamedTuple):
    role: str
    image: str
    why: str
    source: str
    note: Optional[str] = None

    def to_json(self):
        return dict(self._asdict())


class ImageAdvice(NamedTuple):
    platform: Optional[str]            # "jetson" | "ngc" | None (cannot tell)
    host_l4t: Optional[str]
    driver_version: Optional[str]
    images: Tuple[ImageChoice, ...]
    run_args: Tuple[str, ...]          # the docker run flags, in order
    cdi_args: Tuple[str, ...]          # the CDI alternative, when a spec is present
    notes: Tuple[str, ...]
    never: Optional[str]
    rule_source: Optional[str]

    def to_json(self):
        doc = dict(self._asdict())
        doc["images"] = [i.to_json() for i in self.images]
        doc["run_args"] = list(self.run_args)
        doc["cdi_args"] = list(self.cdi_args)
        doc["notes"] = list(self.notes)
        return doc


def _v(text):
    try:
        return Version(text)
    except (InvalidVersion, TypeError):
        return None


def fit_rule(host_l4t, recipes):
    # type: (str, Any) -> Optional[dict]
    major = host_l4t.split(".")[0]
    return runtime_table(recipes).get("r" + major)


def l4t_image_fits(image_l4t, host_l4t, recipes):
    # type: (str, str, Any) -> Optional[bool]
    """True/False by the recipes' rule for the host's L4T major; None when there is no rule."""
    rule = fit_rule(host_l4t, recipes)
    host, image = _v(host_l4t), _v(image_l4t)
    if rule is None or host is None or image is None:
        return None
    if not rule.get("l4t_images", True):
        return False
    if image.release[0] != host.release[0]:
        return False
    exact_below = _v(rule.get("exact_below") or "")
    if exact_below is not None and host < exact_below:
        return image.release[:3] == host.release[:3]
    for line in rule.get("boundaries", []):
        edge = _v(line)
        if (host >= edge) != (image >= edge):
            return False
    return True


def _pick(rows, host):
    """Exact match first, then the newest not newer than the host, then the oldest newer one."""
    def key(item):
        ref, row = item
        image = _v(row["l4t"])
        return image
    exact = [r for r in rows if _v(r[1]["l4t"]) == host]
    if exact:
        return exact[0]
    older = sorted((r for r in rows if _v(r[1]["l4t"]) < host), key=key)
    if older:
        return older[-1]
    return sorted(rows, key=key)[0] if rows else None


def jetson_images(host_l4t, recipes):
    # type: (str, Any) -> List[ImageChoice]
    table = recipes.get("docker_images") or {}
    rule = fit_rule(host_l4t, recipes)
    major = host_l4t.split(".")[0]
    host = _v(host_l4t)
    out = []  # type: List[ImageChoice]
    for role in ROLES:
        rows = [(ref, row) for ref, row in sorted(table.items()) if row.get("role") == role
                and row.get("platform") == "jetson" and row.get("l4t")
                and l4t_image_fits(row["l4t"], host_l4t, recipes)]
        chosen = _pick(rows, host) if rows else None
        if chosen is not None:
            ref, row = chosen
            why = "L4T {} image on an L4T {} host".format(row["l4t"], host_l4t)
            out.append(ImageChoice(role, ref, why, row["source"], row.get("note")))
            continue
        if rule is not None and not rule.get("l4t_images", True):
            for ref, row in sorted(table.items()):
                if row.get("role") != role:
                    continue
                if major in (row.get("l4t_majors") or []) or major in (row.get("jetson_l4t_major") or []):
                    out.append(ImageChoice(role, ref, "known to run on L4T R{} (JetPack 7)".format(major),
                                           row["source"], row.get("note")))
                    break
    return out


def ngc_images(driver_version, compute_capability, recipes):
    # type: (Optional[str], Optional[str], Any) -> List[ImageChoice]
    table = recipes.get("docker_images") or {}
    major = None
    if driver_version and driver_version.split(".")[0].isdigit():
        major = int(driver_version.split(".")[0])
    cc = _v(compute_capability or "")
    out = []
    for role in ROLES:
        rows = [(ref, row) for ref, row in table.items() if row.get("platform") == "ngc" and row.get("role") == role]
        fitting = [(ref, row) for ref, row in rows if (major is None or row["min_driver"] <= major)
                   and (cc is None or _v(row["min_compute_capability"]) <= cc)]
        if not fitting or major is None:
            continue
        ref, row = max(fitting, key=lambda item: item[1]["release"])
        why = "NGC {}: CUDA {}, needs driver >= {} (this host: {}){}".format(
            row["release"], row["cuda"], row["min_driver"], driver_version,
            ", GPU sm >= {}".format(row["min_compute_capability"]) if cc is not None else "")
        note = row.get("note")
        if row.get("tensorrt"):
            note = "TensorRT {}".format(row["tensorrt"]) + ("; " + note if note else "")
        out.append(ImageChoice(role, ref, why, row["source"], note))
    return out


def _cdi_args(runtime):
    for spec in runtime.cdi_specs:
        if spec.kind and spec.devices and not spec.host_paths_missing:
            device = "all" if "all" in spec.devices else spec.devices[0]
            return ("--device", "{}={}".format(spec.kind, device))
    return ()


def advise_images(jetson, driver, gpus, arch, runtime, recipes, jtop_socket=False):
    # type: (Any, Any, Any, Optional[str], Any, Any, bool) -> ImageAdvice
    notes = []  # type: List[str]
    mounts = ("-v", "/run/jtop.sock:/run/jtop.sock") if jtop_socket else ()
    daemon = runtime.daemon
    if jetson is not None and jetson.l4t:
        rule = fit_rule(jetson.l4t, recipes)
        images = jetson_images(jetson.l4t, recipes)
        if rule is None:
            notes.append("No image rule for L4T R{}: this trtsetup predates it; add one with --recipes.".format(
                jetson.l4t.split(".")[0]))
        missing = [r for r in ROLES if r not in {i.role for i in images}]
        if rule is not None and missing:
            notes.append("No NVIDIA-published {} image in the recipes fits L4T {}; build on the base image "
                         "(trtsetup install inside it).".format(" / ".join(missing), jetson.l4t))
        args = ["--runtime", "nvidia"]
        reading = csv_reading(runtime, recipes)
        if int(jetson.l4t.split(".")[0]) <= 32 and reading.base_only:
            args += ["-e", reading.env]
            notes.append("{}: without {} the container gets only {} (no CUDA, cuDNN or TensorRT).".format(
                reading.why, reading.env, ", ".join(reading.base_files)))
        if daemon.default_runtime != "nvidia":
            notes.append("For `docker build` on this device (torch2trt's setup.py imports torch), set "
                         "\"default-runtime\": \"nvidia\" in {} and restart docker.".format(daemon.path or "/etc/docker/daemon.json"))
        return ImageAdvice("jetson", jetson.l4t, None, tuple(images), tuple(args) + mounts,
                           _cdi_args(runtime) + mounts if _cdi_args(runtime) else (), tuple(notes),
                           rule.get("never") if rule else None, rule.get("source") if rule else None)
    driver_version = getattr(driver, "driver_version", None)
    ccs = [g.compute_capability for g in gpus or () if getattr(g, "compute_capability", None)]
    cc = min(ccs, key=lambda c: _v(c) or _v("0")) if ccs else None
    if driver_version is None:
        notes.append("No NVIDIA driver found: NGC images need one (nvidia-smi must work on the host).")
        return ImageAdvice(None, None, None, (), (), (), tuple(notes), None, None)
    images = ngc_images(driver_version, cc, recipes)
    if cc is None:
        notes.append("GPU compute capability unknown (no nvidia-smi answer): from 25.08 NGC images need sm >= 7.5.")
    notes.append("Data-center GPUs can run newer releases on older LTS drivers through CUDA forward compatibility "
                 "(see each release's notes).")
    toolkit = runtime.toolkit_version
    if not toolkit:
        notes.append("nvidia-container-toolkit is not installed: `--gpus all` needs it "
                     "(https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html).")
    else:
        edge = stack_entry(recipes)["cdi_generate_toolkit"]
        if compare_deb_versions(toolkit, edge) < 0:
            notes.append("nvidia-container-toolkit {} predates `nvidia-ctk cdi generate` ({}).".format(toolkit, edge))
    cdi = _cdi_args(runtime)
    return ImageAdvice("ngc", None, driver_version, tuple(images), ("--gpus", "all") + mounts,
                       cdi + mounts if cdi else (), tuple(notes), None, None)
