# Metadata is in setup.cfg; this file lets pip < 21.3 on Python 3.6 do an editable install.
from setuptools import setup

setup()
