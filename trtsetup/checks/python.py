"""The target interpreter, and where an install would put packages."""

from ..fix_commands import install_command, trtsetup_command
from ..versions import parse as _parse_version
from .base import Check, make

_user_venv = make("py-user-site-visible", "A --user install would be visible to the target Python")
_t2t = make("t2t-installed", "torch2trt is installed in the target Python")


def unsupported_python(py):
    """Why nothing can be installed for this interpreter, or None: PyTorch dropped Python 2
    with 1.5, and torch2trt and trtsetup's installs need Python 3.6 or later."""
    version = _parse_version(py.version) if py.version else None
    if version is None or (version.major, version.minor) >= (3, 6):
        return None
    return "Python {} is not supported by torch2trt or PyTorch (they need Python 3; trtsetup installs for 3.6 and later)".format(
        py.version)


def python3_fix(ctx):
    return "Pass a Python 3 interpreter: `{}`".format(
        trtsetup_command("doctor", "python3", invoked_as=ctx.options.get("invoked_as")))


def _wants_user(ctx):
    pip_user = ctx.facts.python.pip_user_env or ""
    return bool(ctx.options.get("user")) or pip_user.lower() in ("1", "true", "yes")


def check_user_site(ctx):
    py = ctx.facts.python
    if py.executable is None or py.is_venv is None:
        return _user_venv.skip("target Python unknown")
    if unsupported_python(py):
        return _user_venv.skip("Python {} (see py-torch-imports)".format(py.version))
    inside = "a venv" if py.is_venv else ("a conda env" if py.is_conda else None)
    if inside is None:
        if py.user_site_enabled is False:
            return _user_venv.warn("user site-packages are disabled for {}".format(py.executable),
                                   fix="Unset PYTHONNOUSERSITE, or install without --user.")
        return _user_venv.ok("not a venv: --user installs go to {}".format(py.user_site or "~/.local"))
    if _wants_user(ctx):
        return _user_venv.fail(
            "--user inside {} ({}) installs where the interpreter never looks".format(inside, py.prefix),
            fix="Drop --user (and unset PIP_USER): inside a venv, a plain install already goes to the venv.")
    return _user_venv.ok("{} at {}: installs go into it (trtsetup never adds --user there)".format(inside, py.prefix))


def check_torch2trt(ctx):
    py = ctx.facts.python
    pkg = py.packages.get("torch2trt") if py.packages else None
    if py.executable is None:
        return _t2t.skip("target Python unknown")
    if pkg is None and unsupported_python(py):
        return _t2t.skip("Python {} (see py-torch-imports)".format(py.version))
    if pkg is None:
        return _t2t.warn("torch2trt is not installed in {}".format(py.executable),
                         fix=install_command(py, ctx.options.get("invoked_as")))
    return _t2t.ok("torch2trt {} at {}".format(pkg.version, pkg.location))


# -- registration (listed in order by checks/__init__.py) --

USER_SITE = Check.of(_user_venv, check_user_site)
T2T_INSTALLED = Check.of(_t2t, check_torch2trt)
