"""This project's PEP 517 / PEP 660 build backend, kept in the project itself: standard library only.

Why not setuptools: `pip install .` builds the wheel in an isolated environment, so a backend from an index is
found, downloaded and installed before every build (setuptools and wheel: two index pages of about 1,700 files
to evaluate, a 1.2 MB wheel to unpack, then three hook processes that each import setuptools). That cost
about 3.5 s of CPU on every install (`benchmarks/install_size.py`); this backend needs nothing
(`requires = []`) and builds the wheel in well under a second.

What it builds, from `[project]` and `[tool.lean-build]` in pyproject.toml:
- the wheel: every `*.py` file of the listed packages and the data files matching `data` (glob patterns
  matched against file names, anywhere below a package), with core metadata 2.1 and the console scripts;
- the editable wheel (`pip install -e .`): a `.pth` file that puts the project folder on `sys.path`, with
  the same metadata, so the extras (`.[test]`) install as usual;
- the sdist: pyproject.toml, the readme, this backend and the same package files, with PKG-INFO.

A `[project]` key it does not know stops the build with a message, rather than being dropped unnoticed.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import os
import re
import tarfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BACKEND = Path(__file__).resolve()
KNOWN_KEYS = frozenset(
    {
        "name",
        "version",
        "description",
        "readme",
        "requires-python",
        "license",
        "dependencies",
        "optional-dependencies",
        "scripts",
        "gui-scripts",
        "classifiers",
        "keywords",
        "urls",
    }
)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every archive member's timestamp: builds of the same tree are byte-identical."""


def _root() -> Path:
    """The project folder: every hook runs there (PEP 517)."""
    return Path.cwd()


class BuildError(Exception):
    """pyproject.toml asks for something this backend does not do."""


def _config() -> tuple[dict[str, Any], dict[str, Any]]:
    data = tomllib.loads((_root() / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    unknown = sorted(set(project) - KNOWN_KEYS)
    if unknown or project.get("dynamic"):
        raise BuildError(f"build_backend/lean_build.py does not handle [project] keys {unknown}: add them there")
    tool = data.get("tool", {}).get("lean-build", {})
    if not tool.get("packages"):
        raise BuildError("[tool.lean-build] packages must list the packages to ship")
    return project, tool


def _normalized(name: str) -> str:
    """A distribution name as wheel and sdist file names spell it (PEP 427, PEP 625)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _requirement(requirement: str, extra: str) -> str:
    name, _, marker = requirement.partition(";")
    condition = f'extra == "{extra}"'
    return f"{name.strip()}; ({marker.strip()}) and {condition}" if marker.strip() else f"{name.strip()}; {condition}"


def metadata() -> str:
    """Core metadata 2.1 (METADATA in a wheel, PKG-INFO in an sdist)."""
    project, _ = _config()
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}"]
    if "description" in project:
        lines.append(f"Summary: {project['description']}")
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    license_ = project.get("license", {})
    if "text" in license_:
        lines.append(f"License: {license_['text']}")
    if project.get("keywords"):
        lines.append(f"Keywords: {','.join(project['keywords'])}")
    lines += [f"Classifier: {c}" for c in project.get("classifiers", ())]
    lines += [f"Project-URL: {label}, {url}" for label, url in project.get("urls", {}).items()]
    lines += [f"Requires-Dist: {r}" for r in project.get("dependencies", ())]
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f"Requires-Dist: {_requirement(r, extra)}" for r in requirements]
    readme = project.get("readme")
    if readme is None:
        return "\n".join(lines) + "\n"
    path = _root() / (readme if isinstance(readme, str) else readme["file"])
    kind = "text/markdown" if path.suffix.lower() == ".md" else "text/plain"
    lines.append(f"Description-Content-Type: {kind}")
    return "\n".join(lines) + "\n\n" + path.read_text(encoding="utf-8")


def _entry_points(project: dict[str, Any]) -> str:
    sections = []
    for key, section in (("scripts", "console_scripts"), ("gui-scripts", "gui_scripts")):
        if project.get(key):
            sections.append(f"[{section}]\n" + "".join(f"{n} = {t}\n" for n, t in project[key].items()))
    return "\n".join(sections)


def package_files() -> Iterator[Path]:
    """The files that ship, relative to the project folder, in a stable order."""
    _, tool = _config()
    patterns = ["*.py", *tool.get("data", ())]
    for package in tool["packages"]:
        folder = _root() / package
        if not (folder / "__init__.py").is_file():
            raise BuildError(f"[tool.lean-build] packages: {package}/__init__.py does not exist")
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(_root())
            hidden = any(part.startswith(".") or part == "__pycache__" for part in relative.parts)
            if path.is_file() and not hidden and any(fnmatch.fnmatch(path.name, p) for p in patterns):
                yield relative


def _dist_info(project: dict[str, Any]) -> str:
    return f"{_normalized(project['name'])}-{project['version']}.dist-info"


def _wheel_name(project: dict[str, Any]) -> str:
    return f"{_normalized(project['name'])}-{project['version']}-py3-none-any.whl"


def _dist_info_files(project: dict[str, Any]) -> dict[str, bytes]:
    wheel = "Wheel-Version: 1.0\nGenerator: lean_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files = {"METADATA": metadata().encode(), "WHEEL": wheel.encode()}
    entry_points = _entry_points(project)
    if entry_points:
        files["entry_points.txt"] = entry_points.encode()
    return files


def _write_wheel(directory: str, members: dict[str, bytes]) -> str:
    """A wheel of `members` (archive path -> content) and the RECORD of them; its file name is returned."""
    project, _ = _config()
    dist_info = _dist_info(project)
    for name, content in _dist_info_files(project).items():
        members[f"{dist_info}/{name}"] = content
    record = []
    for path, content in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(content)}")
    record.append(f"{dist_info}/RECORD,,")
    members[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    name = _wheel_name(project)
    with zipfile.ZipFile(Path(directory) / name, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in members.items():
            info = zipfile.ZipInfo(path, ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return name


# --- PEP 517 and PEP 660 hooks --------------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    return []


def get_requires_for_build_sdist(config_settings: dict[str, Any] | None = None) -> list[str]:
    return []


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    project, _ = _config()
    folder = Path(metadata_directory) / _dist_info(project)
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in _dist_info_files(project).items():
        (folder / name).write_bytes(content)
    return folder.name


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(
    wheel_directory: str, config_settings: dict[str, Any] | None = None, metadata_directory: str | None = None
) -> str:
    return _write_wheel(wheel_directory, {p.as_posix(): (_root() / p).read_bytes() for p in package_files()})


def build_editable(
    wheel_directory: str, config_settings: dict[str, Any] | None = None, metadata_directory: str | None = None
) -> str:
    project, _ = _config()
    list(package_files())  # the same checks as a real build
    pth = f"{_normalized(project['name'])}.pth"
    return _write_wheel(wheel_directory, {pth: (str(_root()) + "\n").encode()})


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    project, _ = _config()
    base = f"{_normalized(project['name'])}-{project['version']}"
    readme = project.get("readme")
    extra = [Path(readme if isinstance(readme, str) else readme["file"])] if readme else []
    members = [Path("pyproject.toml"), *extra, BACKEND.relative_to(_root()), *package_files()]
    name = f"{base}.tar.gz"
    with tarfile.open(Path(sdist_directory) / name, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for path in members:
            _add(archive, f"{base}/{path.as_posix()}", (_root() / path).read_bytes())
        _add(archive, f"{base}/PKG-INFO", metadata().encode())
    return name


def _add(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o644
    info.mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    archive.addfile(info, io.BytesIO(content))
