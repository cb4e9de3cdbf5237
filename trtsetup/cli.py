"""The command line: parse, build a Host, call one command function, render, exit code.

Exit codes (the contract scripts and Ansible rely on; see README):
0 healthy/converged (warnings allowed), 1 a check or an action failed, 2 could not run.
With ``--json`` exactly one JSON document goes to stdout; everything else goes to stderr.
Errors become exit codes and error documents in one place, ``entry.main``, which runs this group
(or, for a well-formed ``doctor`` argv, cli_doctor.py without click).
"""

import click

from . import __version__, cli_doctor
from .cli_docker import docker
from .cli_options import host_options as _host_options, json_option as _json_option
from .cli_options import load_recipes as _load_recipes, make_host as _make_host
from .cli_options import python_option as _python_option, recipes_option as _recipes_option
from .cli_options import with_options, write_output_file as _write_output
from .cli_output import emit_json as _emit_json, err as _err, out as _out
from .errors import EXIT_OK, UsageError


# -- the group ----------------------------------------------------------------------------------

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="trtsetup", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
@click.pass_context
def cli(ctx, debug):
    """Install torch2trt (with torch and torchvision) on Jetson and x86 NVIDIA machines,
    and diagnose what stands in the way."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command("doctor", help=cli_doctor.HELP)
@with_options(cli_doctor.OPTIONS)
def doctor(**params):
    # The options and the work are in cli_doctor.py, which entry.py also runs without click.
    return cli_doctor.run_doctor(**params)


@cli.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Where to write the snapshot (JSON); `-` for stdout.")
@_python_option
@_recipes_option
@click.option("--fast", is_flag=True, help="Skip the slow probes.")
def snapshot(output, python, recipes_dir, fast):
    """Capture everything the doctor reads (files, command outputs) into one redacted file.

    Serial numbers, GPU UUIDs, MAC addresses and secret-looking environment variables are
    redacted. Diagnose it anywhere with `trtsetup doctor --snapshot FILE`.
    """
    from .commands.snapshot import snapshot as snapshot_cmd
    from .host.live import LiveHost
    recipes = _load_recipes(recipes_dir)
    result = snapshot_cmd(LiveHost(), recipes, python=python, fast=fast)
    where = _write_output(output, result.data, "snapshot", mode=0o600)
    _err("wrote {} ({} files, {} commands)".format(where, result.files, result.commands))
    return EXIT_OK


def _override_options(func):
    options = [
        click.option("--torch", "torch", metavar="VERSION|WHEEL|URL", help="The torch to install instead of the recipes' choice."),
        click.option("--torchvision", "torchvision", metavar="VERSION", help="The torchvision version to build/install."),
        click.option("--torch2trt-ref", "torch2trt_ref", metavar="REF", help="The torch2trt git ref (tag, branch or commit)."),
        click.option("--torch2trt-src", "torch2trt_src", metavar="PATH|GIT_URL[@REF]|ARCHIVE_URL", help="Where torch2trt comes from."),
        click.option("--jetpack", "jetpack", metavar="X.Y", help="The JetPack to plan for when the L4T is unknown."),
        click.option("--index-url", "index_url", metavar="URL", help="pip index for torch/torchvision."),
        click.option("--extra-index-url", "extra_index_url", multiple=True, metavar="URL", help="Extra pip index (repeatable)."),
        click.option("--find-links", "find_links", multiple=True, metavar="DIR|URL", help="Local wheels (repeatable)."),
        click.option("--no-index", "no_index", is_flag=True, help="Do not use any index (offline, with --find-links)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _overrides(python, **values):
    overrides = {k: v for k, v in values.items() if v not in (None, (), False)}
    for key in ("extra_index_url", "find_links"):
        if key in overrides:
            overrides[key] = list(overrides[key])
    if python:
        overrides["python"] = python
    return overrides


@cli.command()
@_host_options
@_python_option
@_recipes_option
@_json_option
@_override_options
def plan(root, snapshot_file, python, recipes_dir, as_json, **override_values):
    """Show what `install` would do on this machine (or a captured one) and why."""
    from .commands import plan as plan_cmd
    from .probes.gather import gather_facts
    host = _make_host(root, snapshot_file, python)
    recipes = _load_recipes(recipes_dir)
    facts = gather_facts(host, recipes, python=python, fast=True, nvidia_header=True)
    from .report import style_for
    from .report.plan import plan_json, render_plan_text
    result = plan_cmd.plan(facts, recipes, _overrides(python, **override_values))
    if as_json:
        _emit_json(plan_json(result))
    else:
        _out(render_plan_text(result, style_for()))
    return plan_cmd.exit_code(result)


@cli.command()
@_python_option
@_recipes_option
@_json_option
@_override_options
@click.option("--user", is_flag=True, help="Install into the user site (system interpreter only; ignored in a venv).")
@click.option("--dry-run", is_flag=True, help="Show the steps and what is already done; change nothing.")
@click.option("--skip-apt", is_flag=True, help="Do not install apt prerequisites.")
@click.option("--no-selftest", is_flag=True, help="Skip the conversion self-test at the end.")
@click.option("--from-bundle", "bundle_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Install what `trtsetup bundle` packed on a device of this kind: offline, no compiler.")
def install(python, recipes_dir, as_json, user, dry_run, skip_apt, no_selftest, bundle_file, **override_values):
    """Install torch, torchvision and torch2trt (with plugins) for this machine, idempotently."""
    from .commands import install as install_cmd
    from .host.live import LiveHost
    from .probes.gather import gather_facts
    if bundle_file:
        chosen = sorted(k for k, v in override_values.items() if v not in (None, (), False))
        if chosen:
            raise UsageError("--from-bundle installs exactly what the bundle holds; it takes no --{}".format(
                chosen[0].replace("_", "-")), fix="Drop that option, or install without --from-bundle.")
    host = LiveHost()
    recipes = _load_recipes(recipes_dir)
    facts = gather_facts(host, recipes, python=python, fast=True, nvidia_header=True)
    if bundle_file:
        return _install_from_bundle(host, facts, bundle_file, python, as_json, user, dry_run, no_selftest)
    overrides = _overrides(python, **override_values)
    if no_selftest:
        overrides["no_selftest"] = True
    from .report import style_for
    from .report.install import install_json, render_install_text
    result = install_cmd.install(host, facts, recipes, overrides, user=user, dry_run=dry_run,
                                 skip_apt=skip_apt, emit=_err)
    if as_json:
        _emit_json(install_json(result))
    else:
        _out(render_install_text(result, style_for()))
    return result.exit_code


def _install_from_bundle(host, facts, bundle_file, python, as_json, user, dry_run, no_selftest):
    from .commands.bundle import install_from_bundle
    from .report import style_for
    from .report.install import install_json, render_install_text
    from .bundle.archive import read_manifest
    python = python or facts.python.executable or "python3"
    result = install_from_bundle(host, facts, bundle_file, python, user=user, dry_run=dry_run,
                                 no_selftest=no_selftest, emit=_err)
    if as_json:
        doc = install_json(result)
        manifest, digest = read_manifest(bundle_file)
        doc["bundle"] = {"path": bundle_file, "sha256": digest, "versions": manifest["versions"],
                         "fingerprint": manifest["fingerprint"]}
        _emit_json(doc)
    else:
        _out(render_install_text(result, style_for()))
    return result.exit_code


@cli.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Where to write the bundle (a tar file).")
@_python_option
@_recipes_option
@_json_option
def bundle(output, python, recipes_dir, as_json):
    """Pack what `trtsetup install` built or downloaded here into one verified file.

    The torch, torchvision and torch2trt wheels and the plugin library, with a manifest of
    their sha256 and this device's fingerprint. Install it on devices of the same kind with
    `trtsetup install --from-bundle FILE` (see docs/bundle.md).
    """
    from .commands.bundle import make_bundle
    from .host.live import LiveHost
    from .probes.gather import gather_facts
    facts = gather_facts(LiveHost(), _load_recipes(recipes_dir), python=python, fast=True, nvidia_header=True)
    manifest = make_bundle(facts, output)
    _err("wrote {} ({} artifacts)".format(output, len(manifest["artifacts"])))
    if as_json:
        _emit_json(manifest)
    else:
        for item in manifest["artifacts"]:
            _out("{}  {}".format(item["sha256"], item["path"]))
    return EXIT_OK


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--trt-include", metavar="DIR", help="TensorRT include dir (default: what the doctor finds).")
@click.option("--trt-lib", metavar="DIR", help="TensorRT lib dir (default: what the doctor finds).")
@click.option("--cuda-arch", metavar="LIST", help="CUDA architectures, e.g. 8.7 or 87, comma-separated.")
@click.option("--tensorrt-version", metavar="X.Y[.Z]",
              help="The TensorRT the tree is built against (default: NvInferVersion.h under the "
                   "include dir, else the target Python's tensorrt); >= 10 adds the converter patches.")
@_python_option
@click.option("--check", "check_only", is_flag=True, help="Exit 0 when the tree already matches, 1 when it needs patching.")
@click.option("--revert", is_flag=True, help="Restore the original files from the backup.")
@_json_option
def patch(directory, trt_include, trt_lib, cuda_arch, tensorrt_version, python, check_only, revert, as_json):
    """Point a torch2trt checkout at this machine's TensorRT and CUDA architectures."""
    from .commands import patch as patch_cmd
    from .host.live import LiveHost
    host = LiveHost()
    facts = None
    if not (trt_include and trt_lib and cuda_arch and tensorrt_version) and not revert:
        from .probes.gather import gather_facts
        facts = gather_facts(host, _load_recipes(None), python=python, fast=True, nvidia_header=True)
    result = patch_cmd.patch(host, directory, trt_include=trt_include, trt_lib=trt_lib, cuda_arch=cuda_arch,
                             check=check_only, revert=revert, facts=facts,
                             tensorrt_version=tensorrt_version)
    if as_json:
        _emit_json(result.to_json())
    else:
        _out(result.render_text())
    return result.exit_code


@cli.command()
@_python_option
@_json_option
@click.option("--fp16", is_flag=True, help="Also convert in fp16 (tolerance 1e-1).")
@click.option("--model", "models", multiple=True, metavar="NAME",
              help="Run only this model (repeatable): cnn, mwcnn-dwt, mwcnn-iwt, reflection-pad, ...")
# --device cpu lets trtsetup's own tests run the whole path with test doubles; TensorRT itself
# converts only on a GPU, so users are not offered it.
@click.option("--device", default="cuda", hidden=True)
@click.option("--timeout", default=900, show_default=True, help="Seconds before the self-test is stopped.")
def selftest(python, as_json, fp16, models, device, timeout):
    """Convert a small CNN and the MWCNN DWT/IWT blocks with torch2trt and compare with PyTorch.

    Runs in the target interpreter, in a fresh process from a neutral directory. Exit 0 when
    every model matches, 1 on a mismatch or failure, 2 when it cannot run (no GPU, no
    tensorrt, no torch2trt), with the fix.
    """
    from .commands.selftest import selftest as selftest_cmd
    from .host.live import LiveHost
    from .report import style_for
    from .report.selftest import render_text
    host = LiveHost()
    python = python or host.which("python3") or "python3"
    result = selftest_cmd(host, python, fp16=fp16, models=tuple(models), device=device, timeout=float(timeout))
    if as_json:
        _emit_json(result.to_json())
    else:
        _out(render_text(result, ascii_only=not style_for().unicode_ok), nl=False)
    return result.exit_code


@cli.group()
def fleet():
    """Work with the reports of many devices (see README, "Fleets")."""


@fleet.command("report")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_json_option
@click.option("--html", "html_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write one static HTML page (sortable, filterable, no external assets).")
def fleet_report(paths, as_json, html_file):
    """One table of every device: platform, versions, failing checks, self-test, drift.

    PATHS are report files or directories of them (the playbook fetches one directory per
    device). Exit 0 when every device is ok or only warns, 1 when one fails or a file is
    unreadable, 2 when no report was found.
    """
    from .commands.fleet import fleet_report as fleet_report_cmd
    from .fleet import page, render
    result = fleet_report_cmd(paths)
    if html_file:
        text = page.render_html(result.rows, result.problems, result.skipped)
        where = _write_output(html_file, text.encode("utf-8"), "HTML page", mode=0o644)
        _err("wrote {} ({} devices)".format(where, len(result.rows)))
    if as_json:
        _emit_json(render.fleet_json(result.rows, result.problems, result.skipped))
    else:
        _out(render.render_text(result.rows, result.problems, result.skipped))
    return result.exit_code


cli.add_command(docker)

