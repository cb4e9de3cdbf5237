# Metadata is in setup.cfg; this file lets pip < 21.3 on Python 3.6 do an editable install,
# and maps the top-level recipes/ data directory into the installed package as
# trtsetup/recipes_data/ (read by trtsetup/recipes.py with pkgutil.get_data). setup.cfg
# cannot list find: packages plus a mapped one, and its values would override these.
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["trtsetup", "trtsetup.*"]) + ["trtsetup.recipes_data"],
    package_dir={"trtsetup.recipes_data": "recipes"},
    package_data={"trtsetup": ["probes/scripts/*.py", "selftest/*.py", "torch2trt/converter_patches/*.py"],
                  "trtsetup.recipes_data": ["*.json"]},
)
