"""Is this a machine torch2trt can run on, and do we know its release?"""

from .base import Check, make

_recognised = make("platform-recognised", "An NVIDIA Jetson with L4T, or a machine with an NVIDIA GPU and driver")
_l4t = make("jetson-l4t-known", "The L4T release maps to a known JetPack")
_readable = make("host-inputs-readable", "Every system file the probes needed could be read")


_PERMISSION_FIX = "Run trtsetup as a user that can read them (e.g. with sudo), or fix their permissions."


def _read_problems(ctx):
    return list(ctx.facts.read_problems or ctx.options.get("read_problems") or [])


def _blame_unreadable(ctx, finding, unknown):
    """A failure judged from files that could not be read says that first: "a custom image
    (Yocto/OE4T?)" is the wrong headline when the cause is Permission denied."""
    problems = _read_problems(ctx)
    if finding.status != "fail" or not problems:
        return finding
    paths = [path for path, _ in problems]
    whys = sorted(set(why for _, why in problems))
    shown = ", ".join(paths[:2]) + (" and {} more".format(len(paths) - 2) if len(paths) > 2 else "")
    detail = "; ".join(part for part in ("without them: " + finding.summary, finding.detail) if part)
    return finding._replace(summary="cannot read {} ({}): {} is unknown".format(shown, ", ".join(whys), unknown),
                            fix=_PERMISSION_FIX, detail=detail)


def check_platform_recognised(ctx):
    return _blame_unreadable(ctx, _platform_recognised(ctx), "the platform")


def _platform_recognised(ctx):
    facts = ctx.facts
    jetson = facts.jetson
    if jetson is not None and jetson.is_jetson is False:
        return _recognised.fail(
            "{} is Tegra hardware but not a Jetson module: JetPack and NVIDIA's wheels do not apply".format(
                jetson.model or jetson.soc or "this device"),
            fix="trtsetup supports NVIDIA Jetson modules and x86 machines with an NVIDIA GPU.",
            detail="; ".join(jetson.notes) or None)
    if jetson is not None and jetson.l4t:
        name = jetson.module or jetson.model or "Jetson (module unknown)"
        if not name.startswith("Jetson"):
            name = "Jetson " + name
        return _recognised.ok("{} with L4T R{}".format(name, jetson.l4t))
    if jetson is not None:
        # Tegra hardware without L4T files: a Switch, or a custom/Yocto image.
        return _recognised.fail(
            "Tegra hardware ({}) without an L4T release".format(jetson.model or jetson.soc or "unknown model"),
            fix="trtsetup supports NVIDIA's JetPack (L4T) images. On a custom image, install the "
                "nvidia-l4t-core package or pass --jetpack X.Y to `trtsetup plan`.",
            detail="; ".join(jetson.notes) or None)
    if facts.gpus:
        return _recognised.ok("{} with NVIDIA driver {}".format(
            ", ".join(g.name or "NVIDIA GPU" for g in facts.gpus), facts.nvidia.driver_version or "(version unknown)"))
    if facts.nvidia.driver_version:
        return _recognised.ok("NVIDIA driver {} loaded (GPU names need nvidia-smi)".format(facts.nvidia.driver_version))
    if facts.nvidia.smi_error:
        return _recognised.fail("the NVIDIA driver does not answer: {}".format(facts.nvidia.smi_error),
                                fix="Reboot after a driver update; if it persists, reinstall the driver "
                                    "(`sudo apt install --reinstall nvidia-driver-<version>`).")
    if facts.container.runtime:
        return _recognised.fail(
            "no NVIDIA GPU is visible inside this {} container".format(facts.container.runtime),
            fix="Start the container with the GPU: `docker run --gpus all ...` "
                "(or `--runtime nvidia` on Jetson).")
    return _recognised.fail(
        "no NVIDIA GPU or driver found (not a Jetson, and /proc/driver/nvidia is absent)",
        fix="torch2trt needs an NVIDIA GPU: install the NVIDIA driver "
            "(`sudo ubuntu-drivers install`) and reboot, or run on a Jetson.")


def check_l4t_known(ctx):
    return _blame_unreadable(ctx, _l4t_known(ctx), "the L4T release")


def _l4t_known(ctx):
    jetson = ctx.facts.jetson
    if jetson is None or jetson.is_jetson is False:
        return _l4t.skip("not a Jetson")
    if not jetson.l4t:
        return _l4t.fail("no L4T release could be read",
                         fix="Check /etc/nv_tegra_release (it should start with `# R32 (release), REVISION: ...`) "
                             "or `dpkg-query -W nvidia-l4t-core`; pass --jetpack X.Y to `trtsetup plan` to go on.",
                         detail="; ".join(jetson.notes) or None)
    if jetson.jetpack and jetson.jetpack_exact:
        notes = [n for n in jetson.notes if n]
        if jetson.release_l4t and jetson.dpkg_l4t and jetson.release_l4t != jetson.dpkg_l4t:
            return _l4t.warn(
                "L4T R{} is JetPack {}, but /etc/nv_tegra_release says R{} and nvidia-l4t-core says {}".format(
                    jetson.l4t, jetson.jetpack, jetson.release_l4t, jetson.dpkg_l4t),
                fix="A partial OTA/apt upgrade left them apart: finish it with `sudo apt update && sudo apt dist-upgrade`, then reboot.",
                detail="; ".join(notes) or None)
        return _l4t.ok("L4T R{} is JetPack {}".format(jetson.l4t, jetson.jetpack), detail="; ".join(notes) or None)
    if jetson.jetpack:
        return _l4t.warn(
            "L4T R{} is not in the recipes: assuming JetPack {} (unknown minor)".format(jetson.l4t, jetson.jetpack),
            fix="Add it in a recipes overlay (~/.config/trtsetup/recipes/l4t.json) or pass --jetpack X.Y.Z to "
                "`trtsetup plan`/`install`; newer trtsetup releases know more L4T versions.",
            detail="; ".join(jetson.notes) or None)
    return _l4t.fail("L4T R{} is unknown and its major has no JetPack".format(jetson.l4t),
                     fix="Pass --jetpack X.Y to `trtsetup plan`/`install`, or add the release in a recipes overlay.",
                     detail="; ".join(jetson.notes) or None)


def check_inputs_readable(ctx):
    problems = _read_problems(ctx)
    errors = ctx.facts.probe_errors
    if not problems and not errors:
        return _readable.ok("all inputs read")
    lines = ["{}: {}".format(p[0], p[1]) for p in problems]
    lines += ["probe {}: {}".format(name, err) for name, err in sorted(errors.items())]
    return _readable.warn("{} input(s) could not be read; facts from them are unknown".format(len(lines)),
                          fix=_PERMISSION_FIX, detail="; ".join(lines))


# -- registration (listed in order by checks/__init__.py) --

RECOGNISED = Check.of(_recognised, check_platform_recognised)
L4T_KNOWN = Check.of(_l4t, check_l4t_known)
INPUTS_READABLE = Check.of(_readable, check_inputs_readable)
