"""Every install step class, in one explicit list, and the one way a plan becomes steps.

``build_steps(plan)`` turns each planned ``StepSpec`` into ``cls.from_spec(spec)`` of the
class whose ``id`` is the spec's id. Nothing is imported by name or found by scanning: a new
step kind is a class (``plan/step.py``'s contract) plus a row here, and the resolver plans it.
This module sits above ``plan/``, ``torch2trt/`` and ``selftest/``, which define the classes;
``commands/install.py`` (and anything else that runs a plan, e.g. an install from a bundle)
calls it and hands the steps to ``executor.execute``.
"""

from typing import Any, List, Optional, Sequence

from .errors import UsageError
from .plan.step import Step
from .plan.steps.apt import AptPrerequisites
from .plan.steps.pip import TorchInstall
from .plan.steps.torchvision import TorchvisionInstall
from .selftest.step import SelftestStep
from .torch2trt.steps import T2tBuildStep, T2tPatchStep, T2tPluginsStep, T2tSourceStep, T2tVerifyStep

STEP_CLASSES = (AptPrerequisites, TorchInstall, TorchvisionInstall, T2tSourceStep, T2tPatchStep,
                T2tBuildStep, T2tPluginsStep, T2tVerifyStep, SelftestStep)


def build_steps(plan, step_classes=None):
    # type: (Any, Optional[Sequence[type]]) -> List[Step]
    """Step objects for every step of ``plan`` (a ``plan.model.Plan``), in order.

    ``step_classes`` replaces ``STEP_CLASSES`` (a test's own step kind); an id no class has
    is a UsageError naming the known ones.
    """
    by_id = {cls.id: cls for cls in (step_classes if step_classes is not None else STEP_CLASSES)}
    steps = []
    for spec in plan.steps:
        cls = by_id.get(spec.id)
        if cls is None:
            raise UsageError("unknown install step {!r}".format(spec.id),
                             fix="Known steps: {}.".format(", ".join(sorted(by_id))))
        steps.append(cls.from_spec(spec))
    return steps
