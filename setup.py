"""Package layout only (metadata is in pyproject.toml): the folders core/ and domains/ install as
r1_foundry.core and r1_foundry.domains, every sub-package found on its own, so a new domain
folder needs no packaging edit."""

from setuptools import find_packages, setup

setup(
    packages=[f"r1_foundry.{p}" for p in find_packages(include=["core", "core.*", "domains", "domains.*"])],
    package_dir={"r1_foundry.core": "core", "r1_foundry.domains": "domains"},
)
