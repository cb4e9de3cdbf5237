"""The torch2trt patcher's names, for the install steps that import them from here.

The rules are ``patch_rules`` (setup.py, build.py, CMake, compatibility) and
``patch_converters`` (converter code for TensorRT >= 10); the tree, backup and revert machinery
is ``patch_tree``. This module only re-exports them so the install path keeps one import.
"""

from .patch_converters import CONVERTER_RULES, converter_rule_ids  # noqa: F401
from .patch_rules import (BUILD_PY, CMAKELISTS, PATCHER_VERSION, SETUP_PY, PatchOptions,  # noqa: F401
                          ShapeError, check_dir_argument, cuda_arch_list,
                          tensorrt_version_argument)
from .patch_tree import (BACKUP_DIR, RULES, apply_plan, atomic_write, detect_shape,  # noqa: F401
                         plan_tree, revert_tree, unified_diff)
