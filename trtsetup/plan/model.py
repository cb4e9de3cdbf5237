"""The plan as data: what the resolver decides, before any Step object exists.

The resolver (``plan/resolve.py``) turns facts + recipes into a ``Plan`` of ``StepSpec``s;
the executor side turns each spec into a Step (``plan/steps/*.py``) by its ``id``. A spec is
pure JSON-serialisable data, so ``trtsetup plan --json`` prints exactly what ``install`` would
run. The resolver lists every step, in this order, whether or not it is already satisfied (the
executor checks that right before running each one):

``apt-prerequisites``
    ``{"packages": ["python3-pip", ...]}`` -- every package wanted; the step installs only the
    missing ones. May be empty (nothing to install, or not a Debian-family system).

``torch-install``
    either a single wheel::

        {"source": "wheel", "url": "https://..." | None, "path": "/abs/or/rel.whl" | None,
         "filename": "torch-1.6.0-cp36-cp36m-linux_aarch64.whl", "sha256": "<hex>" | None,
         "version": "1.6.0", "no_deps": False, "expect_cuda": True}

    (exactly one of ``url``/``path`` is set; ``path`` only for ``--torch ./local.whl``, as the
    user gave it; ``sha256`` None means "record on first use, verify after"), or an index::

        {"source": "index", "requirement": "torch==2.5.*", "index_url": "https://..." | None,
         "extra_index_urls": [...], "find_links": [...], "no_index": False,
         "no_deps": False, "expect_cuda": True}

    ``index_url`` None means pip's default (or none at all with ``no_index``).

``torchvision-install``
    either built from source into a wheel::

        {"source": "git", "version": "0.7.0", "git_url": "https://github.com/pytorch/vision",
         "tag": "v0.7.0", "no_deps": True}

    (``BUILD_VERSION`` = ``version``; ``no_deps`` so pip never swaps NVIDIA's torch for a
    CPU one from PyPI), or from an index with a matching binary (same keys as torch's index
    form, e.g. ``"requirement": "torchvision==0.20.*"``).

``t2t-source``
    ``{"ref": "v0.5.0" | "master" | <user ref>, "min_commit": "4e820ae" | None,
    "src": None | "<--torch2trt-src path or URL>", "git_url": "https://github.com/NVIDIA-AI-IOT/torch2trt"}``
    -- without ``src``, ``git_url`` at ``ref``; ``min_commit`` must be an ancestor of it.

``t2t-patch``
    ``{"trt_include": "/usr/include/aarch64-linux-gnu" | None, "trt_lib": ... | None,
    "cuda_arch": ["8.7"], "tensorrt_version": "10.3.0.30" | None, "pre_py37": False}`` --
    ``cuda_arch`` is decided once (``knowledge.cuda_architectures``: the GPUs reported, else
    the Jetson module's); ``pre_py37``: torch2trt's own ``fix-getitem.patch`` applies (Python
    < 3.7 with v0.4.0/v0.5.0; the patcher has no rule for it yet, the build notes it).

``t2t-build``
    ``{"plugins": False, "legacy_plugin_shapes": ["v0.2.0", "v0.3.0"], "patch": {<t2t-patch's
    params>}, "cuda_home": "/usr/local/cuda" | None, "max_jobs": 4, "is_venv": False,
    "is_conda": False}`` -- ``plugins``: build the legacy ``--plugins`` extension (only the
    revisions in ``legacy_plugin_shapes`` load it); ``patch`` keys the build record, so a
    tree patched differently is rebuilt.

``t2t-plugins``
    ``{"enabled": True, "cuda_arch": ["8.7"], "plugins": False, "patch": {...}, "cuda_home",
    "nvcc": "/usr/local/cuda/bin/nvcc" | None, "max_jobs", "is_root": False, "is_venv",
    "is_conda", "cmake": "cmake", "prefix": None}`` -- the CMake plugin library
    (``libtorch2trt_plugins.so``); ``enabled`` False: nothing to do (the reason says why);
    ``prefix`` None: ``/usr/local`` as root, else ``~/.local``.

``t2t-verify``
    ``{}`` -- a fresh interpreter imports the installed torch2trt from a neutral directory and
    loads the plugin library (always runs: it is a check).

``selftest``
    ``{}`` -- the conversion self-test (remembered once passed for the same torch2trt install).

``StepSpec.blocked`` is None, or a sentence saying why the step cannot run on this machine
(TensorRT not found, a TensorRT newer than any torch2trt). The executor runs the steps before
it, then stops at a blocked step with that sentence (a refused step, exit 2); ``plan`` shows it
and exits 2 as well. ``StepSpec.skip`` is None, or the option that turns the step off
(``--skip-apt``, ``--no-selftest``): the executor reports it "skipped (--skip-apt)" without
running it.
"""

from typing import Any, Dict, Optional, Tuple

from ..record import factory, record
from ..report import schemas

PLAN_SCHEMA = schemas.PLAN
STEP_IDS = ("apt-prerequisites", "torch-install", "torchvision-install", "t2t-source",
            "t2t-patch", "t2t-build", "t2t-plugins", "t2t-verify", "selftest")


@record
class StepSpec:
    """One step the executor will run. Example::

        StepSpec(id="torch-install", summary="Install torch 1.6.0 (NVIDIA wheel for JetPack 4.4)",
                 reason="JetPack 4.4 with Python 3.6: NVIDIA's default build for it is torch 1.6.0",
                 params={"source": "wheel", "url": "https://nvidia.box.com/...", ...})
    """

    id: str
    summary: str
    reason: str
    params: Dict[str, Any] = factory(dict)
    blocked: Optional[str] = None
    skip: Optional[str] = None

    def to_json(self):
        return {"id": self.id, "summary": self.summary, "reason": self.reason,
                "params": _plain(self.params), "blocked": self.blocked, "skip": self.skip}


@record
class Plan:
    """The ordered steps for one machine, plus what was decided about it (``target``)."""

    target: Dict[str, Any]
    steps: Tuple[StepSpec, ...]
    warnings: Tuple[str, ...] = ()

    def step(self, step_id):
        # type: (str) -> Optional[StepSpec]
        for spec in self.steps:
            if spec.id == step_id:
                return spec
        return None

    @property
    def blocked(self):
        # type: () -> Tuple[StepSpec, ...]
        return tuple(s for s in self.steps if s.blocked)

    def to_json(self):
        return {"schema": PLAN_SCHEMA, "target": _plain(self.target),
                "steps": [s.to_json() for s in self.steps], "warnings": list(self.warnings)}


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
