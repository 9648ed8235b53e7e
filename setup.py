"""Package list for setuptools (everything else is in pyproject.toml).

Automatic discovery finds only folders under fedihub/, so it never sees templates/, which
pyproject's package-dir maps to fedihub.templates; without this the wheel ships no templates.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["fedihub*"]), "fedihub.templates"])
