"""``trtsetup patch DIR``: point a torch2trt tree at this machine's TensorRT and GPU.

A plain function of resolved arguments; the CLI parses, calls ``patch`` and prints
``result.render_text()`` or ``json.dumps(result.to_json(), sort_keys=True)``, then exits with
``result.exit_code``. Errors are TrtsetupError subclasses (exit 2): an unrecognised file shape
(InputError), a read-only file (RefusedError), a bad --cuda-arch, --tensorrt-version or a
--trt-include/--trt-lib that does not exist (UsageError). A patch that leaves the TensorRT dirs
unknown exits 1: the tree is not ready to build here.
"""

import os
from typing import Any, Dict, NamedTuple, Optional, Tuple

from ..errors import EXIT_FAILED, EXIT_OK
from ..torch2trt import patch_rules, patch_tree
from ..torch2trt.options import resolve_options, resolve_tensorrt_version  # noqa: F401 (shared with install)

PATCH_SCHEMA = "trtsetup.patch/1"


class FileOutcome(NamedTuple):
    path: str                 # relative to the tree
    status: str               # patched | would-patch | unchanged | restored | would-restore
    changes: Tuple[str, ...]  # rule ids that changed (or would change) the file


class PatchResult(NamedTuple):
    src_dir: str
    mode: str                       # "patch" | "check" | "revert" | "check-revert"
    shape: Optional[str]            # "v0.2.0" ... "v0.5.0", "master"; None when unknown
    options: patch_rules.PatchOptions
    files: Tuple[FileOutcome, ...]
    in_effect: Tuple[str, ...]      # rule ids true of the tree once patched
    notes: Tuple[str, ...]          # what was kept and why (unknown dirs/arch, absent files)
    diff: str                       # unified diff of what changed / would change
    changed: bool                   # files were written
    exit_code: int
    incomplete: Tuple[str, ...] = ()  # what the tree still lacks for this machine (exit 1)

    def to_json(self):
        # type: () -> Dict[str, Any]
        return {
            "schema": PATCH_SCHEMA,
            "src_dir": self.src_dir,
            "mode": self.mode,
            "shape": self.shape,
            "options": {"trt_include": self.options.trt_include, "trt_lib": self.options.trt_lib,
                        "cuda_arch": list(self.options.cuda_arch), "compat": self.options.compat,
                        "tensorrt_version": self.options.tensorrt_version},
            "files": [{"path": f.path, "status": f.status, "changes": list(f.changes)}
                      for f in self.files],
            "in_effect": list(self.in_effect),
            "notes": list(self.notes),
            "diff": self.diff,
            "changed": self.changed,
            "incomplete": list(self.incomplete),
            "exit_code": self.exit_code,
        }

    def render_text(self):
        # type: () -> str
        lines = []
        if self.diff:
            lines.append(self.diff.rstrip("\n"))
        shape = self.shape or "unknown version"
        touched = [f for f in self.files if f.status != "unchanged"]
        if self.mode == "check":
            head = ("{} ({}): needs patching: {}".format(self.src_dir, shape, ", ".join(f.path for f in touched))
                    if touched else "{} ({}): already patched".format(self.src_dir, shape))
        elif self.mode == "patch":
            head = ("{} ({}): patched {}".format(self.src_dir, shape, ", ".join(f.path for f in touched))
                    if touched else "{} ({}): already patched, nothing changed".format(self.src_dir, shape))
            if self.incomplete:
                head += "; NOT ready to build here: the TensorRT dirs are unknown"
        elif self.mode == "check-revert":
            head = ("{}: revert would restore {}".format(self.src_dir, ", ".join(f.path for f in touched))
                    if touched else "{}: nothing to revert".format(self.src_dir))
        else:
            head = ("{}: restored {}".format(self.src_dir, ", ".join(f.path for f in touched))
                    if touched else "{}: nothing to revert".format(self.src_dir))
        lines.append(head)
        for note in self.notes:
            lines.append("note: " + note)
        return "\n".join(lines) + "\n"


def patch(host, src_dir, trt_include=None, trt_lib=None, cuda_arch=None, check=False, revert=False,
          facts=None, compat=True, tensorrt_version=None):
    # type: (Any, str, Optional[str], Optional[str], Optional[str], bool, bool, Any, bool, Optional[str]) -> PatchResult
    """Patch (or --check, or --revert) the torch2trt tree at ``src_dir``.

    ``cuda_arch`` is the --cuda-arch LIST text (``"8.7"``, ``"87"``, ``"7.2,8.7"``). Dirs and
    architectures not given default to ``facts`` (the doctor's findings); still unknown, the
    tree keeps its values and a note says so.
    """
    src_dir = os.path.abspath(src_dir)
    if revert:
        return _revert(src_dir, check)
    options, notes = resolve_options(host, trt_include, trt_lib, cuda_arch, facts, compat,
                                     tensorrt_version)
    plan = patch_tree.plan_tree(src_dir, options)
    diff = patch_tree.unified_diff(plan)
    written = []
    if not check:
        written = patch_tree.apply_plan(plan)
    files = []
    for item in plan.files:
        if not item.changed:
            status = "unchanged"
        else:
            status = "would-patch" if check else "patched"
        files.append(FileOutcome(item.path, status, item.changes))
    exit_code = EXIT_FAILED if ((check and plan.needs_patching) or plan.incomplete) else EXIT_OK
    return PatchResult(src_dir, "check" if check else "patch", plan.shape, options, tuple(files),
                       plan.in_effect, notes + plan.notes, diff, bool(written), exit_code,
                       plan.incomplete)


def _revert(src_dir, check):
    outcomes = patch_tree.revert_tree(src_dir, check_only=check)
    files = []
    for item in outcomes:
        status = item.status
        if check and status == "restored":
            status = "would-restore"
        files.append(FileOutcome(item.path, status, ()))
    pending = any(f.status == "would-restore" for f in files)
    notes = () if outcomes else ("no trtsetup backup in {}".format(
        os.path.join(src_dir, patch_tree.BACKUP_DIR)),)
    return PatchResult(src_dir, "check-revert" if check else "revert", patch_tree.detect_shape(src_dir),
                       patch_rules.PatchOptions(), tuple(files), (), notes, "",
                       any(f.status == "restored" for f in files), EXIT_FAILED if pending else EXIT_OK)
