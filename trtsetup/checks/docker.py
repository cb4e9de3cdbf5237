"""Docker: the NVIDIA container stack on this host, its CSV mount lists, CDI specs, the Docker
daemon's runtime, and (inside a container) whether an l4t image fits the host's L4T.

Skipped on hosts without the NVIDIA container runtime. The judging lives in ``trtsetup/docker``
(shared with ``trtsetup docker csv``); these functions turn it into findings.
"""

from ..probes.container_runtime import runtime_table, stack_entry
from .base import Check, make

# trtsetup/docker is imported inside the checks that judge a runtime: most machines have none,
# and its import would cost every `doctor --fast` several milliseconds for nothing.

_stack = make("docker-runtime-stack", "The NVIDIA container runtime's packages and how they read the CSV lists")
_config = make("docker-runtime-config", "nvidia-container-runtime config.toml: mode and mount-spec-path usable")
_lines = make("docker-csv-lines", "Every line of the CSV mount lists resolves on this host")
_read = make("docker-csv-read", "The CSV files that matter are read by this runtime")
_leftover = make("docker-csv-leftover", "No JetPack 4-style CUDA/cuDNN/TensorRT CSV on a JetPack 5+ host")
_cdi = make("docker-cdi-spec", "CDI specs under /etc/cdi and /var/run/cdi are current for this host")
_daemon = make("docker-default-runtime", "Docker knows the nvidia runtime (and uses it by default for builds on Jetson)")
_fits = make("container-l4t-image-fits", "Inside a container: the l4t image's L4T fits the host's")


def _l4t_major(facts):
    jetson = facts.jetson
    if jetson is None or not jetson.l4t:
        return None
    return int(jetson.l4t.split(".")[0])


def _on_jetson(facts):
    return facts.jetson is not None and bool(facts.jetson.l4t)


def _runtime(ctx):
    runtime = ctx.facts.container_runtime
    if ctx.facts.container.runtime:
        return None, "inside a container: the host's runtime is not visible"
    if not runtime.installed:
        return None, "no NVIDIA container runtime installed"
    return runtime, None


def check_stack(ctx):
    runtime, why = _runtime(ctx)
    if runtime is None:
        return _stack.skip(why)
    from ..docker.stack import csv_reading, host_libraries_from_host
    reading = csv_reading(runtime, ctx.recipes)
    versions = ", ".join("{} {}".format(k, v) for k, v in sorted(runtime.packages.items())) or "no dpkg record"
    major = _l4t_major(ctx.facts)
    if reading.base_only and host_libraries_from_host(major, ctx.recipes):
        return _stack.warn(
            "{}: containers get only {} unless they set {}; l4t-base r32 images need cuda.csv, cudnn.csv and "
            "tensorrt.csv".format(reading.why, ", ".join(reading.base_files), reading.env),
            fix="docker run --runtime nvidia -e {} ...   (or downgrade: sudo apt install libnvidia-container0=0.10.0+jetpack "
                "libnvidia-container-tools=1.7.0-1)".format(reading.env),
            detail=versions)
    return _stack.ok("{}".format(reading.why if reading.base_only is not None else versions), detail=versions)


def check_config(ctx):
    runtime, why = _runtime(ctx)
    if runtime is None:
        return _config.skip(why)
    config = runtime.config
    if not config.present:
        return _config.ok("no {} (defaults: mode auto, CSV files in {})".format(config.path, runtime.mount_spec_dir))
    mode = config.mode or "auto"
    jetson = _on_jetson(ctx.facts)
    if config.mount_spec_path and not runtime.mount_spec_dir_exists and jetson:
        return _config.fail("mount-spec-path {} does not exist: csv mode mounts nothing".format(config.mount_spec_path),
                            fix="sudo nvidia-ctk config --set nvidia-container-runtime.modes.csv.mount-spec-path="
                                "/etc/nvidia-container-runtime/host-files-for-container.d --in-place")
    usable = [s for s in runtime.cdi_specs if s.kind and not s.error]
    if mode == "cdi" and not usable:
        return _config.fail("mode = \"cdi\" but there is no CDI spec: containers fail with 'unresolvable CDI devices'",
                            fix="sudo nvidia-ctk cdi generate {}--output=/etc/cdi/nvidia.yaml".format(
                                "--mode=csv " if jetson else ""))
    return _config.ok("mode {}{}".format(mode, ", CSV files in {}".format(runtime.mount_spec_dir) if jetson else ""))


def _csv_report(ctx):
    runtime, why = _runtime(ctx)
    if runtime is None:
        return None, why
    if not runtime.csv_files:
        return None, "no CSV mount lists"
    from ..docker.csv_check import check_csv
    return check_csv(runtime, _l4t_major(ctx.facts), ctx.recipes), None


def check_csv_lines(ctx):
    report, why = _csv_report(ctx)
    if report is None:
        return _lines.skip(why)
    problems = [p for p in report.problems if p.code not in ("not-read", "jp4-leftover")]
    fails = [p for p in problems if p.severity == "fail"]
    detail = "; ".join("{}: {}".format(p.file, p.message) for p in problems[:6]) or None
    if fails:
        return _lines.fail("{} of {} lines do not resolve or are dropped by the runtime ({})".format(
            len(fails), report.lines, ", ".join(sorted(set(p.file for p in fails)))),
            fix=fails[0].fix + "   (all problems: trtsetup docker csv --check)", detail=detail)
    if problems:
        return _lines.warn("{} of {} lines resolve; {} warning(s)".format(report.resolved, report.lines, len(problems)),
                           fix=problems[0].fix, detail=detail)
    return _lines.ok("{} lines in {} files resolve".format(report.lines, len(report.files)))


def check_csv_read(ctx):
    report, why = _csv_report(ctx)
    if report is None:
        return _read.skip(why)
    from ..docker.stack import host_libraries_from_host
    ignored = [p for p in report.problems if p.code == "not-read"]
    if not host_libraries_from_host(report.l4t_major, ctx.recipes):
        return _read.ok("R{} images carry their own CUDA, cuDNN and TensorRT; {}".format(
            report.l4t_major, report.reading_why) if report.l4t_major else report.reading_why)
    if not ignored:
        return _read.ok("every CSV is read ({})".format(report.reading_why))
    return _read.warn(ignored[0].message if len(ignored) == 1 else
                      "{} will not be read: {}".format(", ".join(p.file for p in ignored), report.reading_why),
                      fix=ignored[0].fix, detail="; ".join(p.message for p in ignored))


def check_csv_leftover(ctx):
    report, why = _csv_report(ctx)
    if report is None:
        return _leftover.skip(why)
    if report.l4t_major is None or report.l4t_major < 34:
        return _leftover.skip("JetPack 4 host (these files belong here)" if report.l4t_major else "L4T unknown")
    left = [p for p in report.problems if p.code == "jp4-leftover"]
    if not left:
        return _leftover.ok("only {} in {}".format(", ".join(report.files), report.mount_spec_dir))
    return _leftover.warn(left[0].message, fix=left[0].fix, detail="; ".join(p.message for p in left[1:]) or None)


def check_cdi(ctx):
    runtime, why = _runtime(ctx)
    if runtime is None:
        return _cdi.skip(why)
    specs = runtime.cdi_specs
    tegra = _on_jetson(ctx.facts)
    generate = "sudo nvidia-ctk cdi generate {}--output=/etc/cdi/nvidia.yaml".format("--mode=csv " if tegra else "")
    if not specs:
        return _cdi.skip("no CDI spec (docker --runtime nvidia does not need one)")
    broken = [s for s in specs if s.error]
    if broken:
        return _cdi.fail("{}: {}".format(broken[0].path, broken[0].error), fix=generate)
    stale = [s for s in specs if s.host_paths_missing]
    if stale:
        spec = stale[0]
        return _cdi.fail("{} is stale: {} of its {} host paths are gone (e.g. {}); a JetPack/driver upgrade moved them".format(
            spec.path, len(spec.host_paths_missing), spec.host_paths, spec.host_paths_missing[0]),
            fix=generate + "   (again after every JetPack or driver upgrade)",
            detail=", ".join(spec.host_paths_missing[:10]))
    if tegra:
        not_csv = [s for s in specs if not s.mounts_tegra_release]
        if not_csv:
            return _cdi.warn("{} was not generated in csv mode (it does not mount /etc/nv_tegra_release)".format(
                not_csv[0].path), fix=generate)
    devices = sorted(set("{}={}".format(s.kind, d) for s in specs for d in s.devices))
    return _cdi.ok("{} spec(s), devices {}".format(len(specs), ", ".join(devices) or "none"))


def check_daemon(ctx):
    runtime, why = _runtime(ctx)
    if runtime is None:
        return _daemon.skip(why)
    from ..docker.stack import compare_deb_versions
    daemon = runtime.daemon
    jetson = _on_jetson(ctx.facts)
    toolkit = runtime.toolkit_version
    edge = stack_entry(ctx.recipes)["runtime_configure_toolkit"]
    configure = ("sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker"
                 if toolkit and compare_deb_versions(toolkit, edge) >= 0 else
                 "add \"runtimes\": {\"nvidia\": {\"path\": \"nvidia-container-runtime\", \"runtimeArgs\": []}} "
                 "to /etc/docker/daemon.json and restart docker")
    if not daemon.present:
        if "/usr/bin/docker" not in runtime.binaries:
            return _daemon.skip("Docker is not installed")
        return _daemon.fail("{} is missing: `docker run --runtime nvidia` says 'unknown or invalid runtime name: nvidia'".format(
            daemon.path), fix=configure)
    if daemon.error:
        return _daemon.fail("{}: {}; dockerd will not start".format(daemon.path, daemon.error),
                            fix="Fix the JSON (python3 -m json.tool {})".format(daemon.path))
    if "nvidia" not in daemon.runtimes:
        return _daemon.fail("{} registers no nvidia runtime".format(daemon.path), fix=configure)
    if jetson and daemon.default_runtime != "nvidia":
        return _daemon.warn(
            "the default runtime is {}: `docker build` steps see no CUDA, so building torch2trt (its setup.py "
            "imports torch) in a Dockerfile fails".format(daemon.default_runtime or "runc"),
            fix="add \"default-runtime\": \"nvidia\" to {} and run sudo systemctl restart docker".format(daemon.path))
    return _daemon.ok("nvidia runtime registered{}".format(
        ", and the default" if daemon.default_runtime == "nvidia" else ""))


def _host_l4t_from_container(facts, recipes):
    """The host's L4T as a container sees it: the nvgpu kernel module's version (exact), else
    the kernel release's major.minor mapped to an L4T major (recipes ``kernel``)."""
    nvidia = facts.nvidia
    if nvidia.kernel_module == "tegra" and nvidia.module_version:
        return nvidia.module_version, "/proc/driver/nvidia/version"
    kernel = facts.system.kernel or ""
    mapping = (runtime_table(recipes).get("kernel") or {}).get("map", {})
    head = ".".join(kernel.split("-")[0].split(".")[:2])
    if head in mapping and "tegra" in kernel:
        return mapping[head], "kernel {}".format(kernel)
    return None, None


def check_image_fits(ctx):
    facts = ctx.facts
    container = facts.container
    if not container.runtime:
        return _fits.skip("not in a container")
    jetson = facts.jetson
    if container.image != "l4t" or jetson is None:
        return _fits.skip("not an l4t image")
    image_l4t = jetson.env_l4t or jetson.dpkg_l4t or jetson.release_l4t
    host_l4t, source = _host_l4t_from_container(facts, ctx.recipes)
    if not image_l4t or not host_l4t:
        return _fits.skip("cannot tell the {} L4T".format("image's" if not image_l4t else "host's"))
    from ..docker.images import fit_rule, jetson_images, l4t_image_fits
    if "." in host_l4t:
        fits = l4t_image_fits(image_l4t, host_l4t, ctx.recipes)
        rule = fit_rule(host_l4t, ctx.recipes)
        better = [i.image for i in jetson_images(host_l4t, ctx.recipes) if i.role in ("base", "pytorch")]
    else:
        rule = runtime_table(ctx.recipes).get("r" + host_l4t)
        fits = None if rule is None else (rule.get("l4t_images", True) and image_l4t.split(".")[0] == host_l4t)
        better = []
    if fits is None:
        return _fits.skip("no image rule for host L4T R{}".format(host_l4t.split(".")[0]))
    if fits:
        return _fits.ok("L4T {} image on an L4T {} host ({})".format(image_l4t, host_l4t, source))
    never = rule.get("never") if rule else None
    return _fits.fail(
        "an L4T {} image on an L4T {} host ({}): mounts fail with 'file exists' or CUDA does not initialise".format(
            image_l4t, host_l4t, source),
        fix="use {} instead".format(" or ".join(better)) if better else
            "use an image built for L4T R{} (trtsetup docker image on the host lists them)".format(host_l4t.split(".")[0]),
        detail="never on this host: {}".format(never) if never else None)


# -- registration (listed in order by checks/__init__.py) --

RUNTIME_STACK = Check.of(_stack, check_stack)
RUNTIME_CONFIG = Check.of(_config, check_config)
CSV_LINES = Check.of(_lines, check_csv_lines)
CSV_READ = Check.of(_read, check_csv_read)
CSV_LEFTOVER = Check.of(_leftover, check_csv_leftover)
CDI_SPEC = Check.of(_cdi, check_cdi)
DEFAULT_RUNTIME = Check.of(_daemon, check_daemon)
L4T_IMAGE_FITS = Check.of(_fits, check_image_fits)
