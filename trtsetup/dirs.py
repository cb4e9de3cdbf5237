"""trtsetup's own directories, by the XDG base-directory rules, in one place.

``config_dir``: user recipes overlays (``~/.config/trtsetup``); ``state_dir``: the install
lock, logs, manifest and records (``~/.local/state/trtsetup``); ``cache_dir``: downloads,
source checkouts, built wheels, remembered probes (``~/.cache/trtsetup``). Each takes the
environment to read (default ``os.environ``) so a test or another user's env can be passed.
"""

import os
from typing import Dict, Optional


def _home(env):
    return env.get("HOME") or os.path.expanduser("~")


def _xdg(env, variable, *default):
    env = os.environ if env is None else env
    base = env.get(variable) or os.path.join(_home(env), *default)
    return os.path.join(base, "trtsetup")


def config_dir(env=None):
    # type: (Optional[Dict[str, str]]) -> str
    """``$XDG_CONFIG_HOME/trtsetup``, else ``~/.config/trtsetup``."""
    return _xdg(env, "XDG_CONFIG_HOME", ".config")


def state_dir(env=None):
    # type: (Optional[Dict[str, str]]) -> str
    """``$XDG_STATE_HOME/trtsetup``, else ``~/.local/state/trtsetup``."""
    return _xdg(env, "XDG_STATE_HOME", ".local", "state")


def cache_dir(env=None):
    # type: (Optional[Dict[str, str]]) -> str
    """``$XDG_CACHE_HOME/trtsetup``, else ``~/.cache/trtsetup``."""
    return _xdg(env, "XDG_CACHE_HOME", ".cache")
