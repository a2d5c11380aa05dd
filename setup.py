"""Packaging beyond pyproject.toml: the wheel carries the top-level folders the app needs.

templates/, static/ and campaigns/ (the sample kits) stay where they are in a checkout; a
built wheel carries copies of them as tcma/_templates, tcma/_static and tcma/_campaigns, so
an installed tcma runs without a checkout (tcma.resources finds them either way). An
editable install needs no copies: it runs from the checkout.
"""

import shutil
from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

DATA_FOLDERS = {"templates": "_templates", "static": "_static", "campaigns": "_campaigns"}


class build_py_with_data(build_py):
    """build_py, then the data folders copied into the package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for source, target in DATA_FOLDERS.items():
            shutil.copytree(source, Path(self.build_lib, "tcma", target), dirs_exist_ok=True)


setup(
    # Namespace discovery: tcma/migrations/ is a folder of scripts without __init__.py.
    packages=find_namespace_packages(include=["tcma", "tcma.*"], exclude=["*__pycache__"]),
    package_dir={"": "."},
    package_data={"tcma": ["common_passwords.txt"], "tcma.migrations": ["script.py.mako"]},
    cmdclass={"build_py": build_py_with_data},
)
