# Metadata is in setup.cfg; this file lets pip < 21.3 on Python 3.6 do an editable install,
# and maps the top-level recipes/ data directory into the installed package as
# trtsetup/recipes_data/ (read by trtsetup/recipes.py with pkgutil.get_data). setup.cfg
# cannot list find: packages plus a mapped one, and its values would override these.
import os
import sys

from setuptools import find_packages, setup
from setuptools.command.egg_info import egg_info


class EggInfoUnderBuild(egg_info):
    """Write trtsetup.egg-info/ under build/, never beside setup.py.

    pip 9 (JetPack 4's) run as ``python -m pip install .`` has the checkout on sys.path, takes
    a trtsetup.egg-info/ left there by an earlier build for an installed trtsetup, says
    "Requirement already satisfied" and installs nothing. ``develop`` (an editable install)
    needs the metadata beside the package, so it keeps the default.
    """

    def finalize_options(self):
        if self.egg_base is None and "develop" not in sys.argv[1:]:
            if not os.path.isdir("build"):
                os.makedirs("build")
            self.egg_base = "build"
        egg_info.finalize_options(self)


# Data directories without __init__.py are listed as packages of their own: package_data of
# "trtsetup" reaching into them makes setuptools print a 40-line BuildBackendWarning
# ("Package ... is absent from the `packages` configuration") on every build.
DATA_PACKAGES = ["trtsetup.recipes_data", "trtsetup.torch2trt.converter_patches"]

setup(
    packages=find_packages(include=["trtsetup", "trtsetup.*"]) + DATA_PACKAGES,
    package_dir={"trtsetup.recipes_data": "recipes"},
    package_data={"trtsetup": ["probes/scripts/*.py", "selftest/*.py"],
                  "trtsetup.recipes_data": ["*.json"],
                  "trtsetup.torch2trt.converter_patches": ["*.py"]},
    cmdclass={"egg_info": EggInfoUnderBuild},
)
