"""Install steps, one kind per module, and the factory that turns a Plan into Step objects.

``build_steps(plan)`` maps each ``StepSpec.id`` to its class through ``STEP_MODULES``. Modules
are imported only when a plan uses them, so a step kind whose module is missing fails with a
clear error naming the module instead of breaking every command at import time.

A step class is constructed as ``cls(spec)`` (spec: ``StepSpec(id, summary, reason,
params)``), or with ``cls.from_spec(spec)`` where the class defines it; a caller can pass
``factories`` for steps built otherwise. A spec with ``blocked`` set becomes a
``BlockedStep``, at which the executor stops.
"""

import importlib
from typing import Any, Callable, Dict, List, Optional

from ...errors import RefusedError, UsageError
from ..step import Step

# step id -> module (absolute), or modules tried in order, defining a Step subclass with that ``id``
STEP_MODULES = {
    "apt-prerequisites": "trtsetup.plan.steps.apt",
    "torch-install": "trtsetup.plan.steps.pip",
    "torchvision-install": "trtsetup.plan.steps.torchvision",
    "t2t-source": "trtsetup.torch2trt.steps",
    "t2t-patch": "trtsetup.torch2trt.steps",
    "t2t-build": "trtsetup.torch2trt.steps",
    "t2t-plugins": "trtsetup.torch2trt.steps",
    "t2t-verify": "trtsetup.torch2trt.steps",
    "selftest": ("trtsetup.selftest.step", "trtsetup.selftest"),
}


def step_class(step_id):
    # type: (str) -> type
    """The Step subclass for ``step_id``; UsageError when unknown or not available."""
    modules = STEP_MODULES.get(step_id)
    if modules is None:
        raise UsageError("unknown install step {!r}".format(step_id),
                         fix="Known steps: {}.".format(", ".join(sorted(STEP_MODULES))))
    problems = []  # type: List[str]
    for module_name in ((modules,) if isinstance(modules, str) else modules):
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            problems.append("{} cannot be imported ({})".format(module_name, exc))
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Step) and value is not Step \
                    and getattr(value, "id", None) == step_id:
                return value
        problems.append("{} defines no Step with that id".format(module_name))
    raise UsageError("install step {!r} is not available: {}".format(step_id, "; ".join(problems)),
                     fix="This trtsetup build is incomplete; reinstall trtsetup.")


class BlockedStep(Step):
    """A step the resolver found cannot run here (``StepSpec.blocked``): the executor stops
    at it with that sentence. Its module is not even imported."""

    def __init__(self, spec):
        self.id = spec.id
        self.summary = spec.summary
        self.reason = spec.reason
        self.blocked = spec.blocked

    def is_satisfied(self, ctx):
        return None

    def run(self, ctx):
        raise RefusedError(self.blocked)


def build_step(spec, factories=None):
    # type: (Any, Optional[Dict[str, Callable[[Any], Step]]]) -> Step
    if getattr(spec, "blocked", None):
        return BlockedStep(spec)
    if factories and spec.id in factories:
        return factories[spec.id](spec)
    cls = step_class(spec.id)
    factory = getattr(cls, "from_spec", None)
    step = factory(spec) if factory is not None else cls(spec)
    if not getattr(step, "summary", None):
        step.summary = spec.summary
    if not getattr(step, "reason", None):
        step.reason = spec.reason
    return step


def build_steps(plan, factories=None):
    # type: (Any, Optional[Dict[str, Callable[[Any], Step]]]) -> List[Step]
    """Step objects for every step of ``plan`` (a ``trtsetup.plan.model.Plan``), in order.

    ``factories`` maps a step id to ``f(spec) -> Step`` and takes precedence over
    ``STEP_MODULES``: for steps that need more than their spec (the torch2trt steps share a
    job built from the facts).
    """
    return [build_step(spec, factories) for spec in plan.steps]
