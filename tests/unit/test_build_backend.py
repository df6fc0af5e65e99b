"""The project's own build backend (build_backend/lean_build.py) builds what setuptools used to.

The wheel ships every tracked file of the four packages and nothing else, its metadata says what
pyproject.toml says, its RECORD is right, builds are byte-identical, the sdist builds the same wheel, the
editable wheel points at the checkout, and an installed wheel runs `bootstrap render` from another folder
(the data files ship where the code finds them).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bootstrap", "blueprints", "scps", "permission_sets", "runbooks")
OFFLINE = ("--no-deps", "--no-index", "--ignore-installed", "--no-compile")
"""Install only the wheel, from the file: its dependencies are this interpreter's (the venv sees them)."""


def _backend() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lean_build", ROOT / "build_backend" / "lean_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.chdir(ROOT)  # PEP 517 hooks run in the project folder
    return _backend()


def _members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _tracked() -> set[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", *PACKAGES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {name for name in listed if (ROOT / name).is_file()}


def test_the_wheel_ships_every_package_file_and_nothing_else(backend: ModuleType, tmp_path: Path) -> None:
    members = _members(tmp_path / backend.build_wheel(str(tmp_path)))
    shipped = {name for name in members if ".dist-info/" not in name}
    assert shipped == _tracked()
    kinds = {Path(name).suffix for name in shipped if not name.startswith("bootstrap/")}
    assert {".py", ".json", ".yaml", ".j2"} <= kinds and "bootstrap/py.typed" in shipped


def test_the_metadata_says_what_pyproject_says(backend: ModuleType, tmp_path: Path) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    members = _members(tmp_path / backend.build_wheel(str(tmp_path)))
    dist_info = f"aws_landing_zone_bootstrap-{project['version']}.dist-info"
    message = Parser().parsestr(members[f"{dist_info}/METADATA"].decode())
    assert (message["Name"], message["Version"], message["Requires-Python"]) == (
        project["name"],
        project["version"],
        project["requires-python"],
    )
    expected = list(project["dependencies"])
    for extra, requirements in project["optional-dependencies"].items():
        expected += [f'{r}; extra == "{extra}"' for r in requirements]
    assert message.get_all("Requires-Dist") == expected
    assert message.get_all("Provides-Extra") == list(project["optional-dependencies"])
    assert message.get_payload().startswith("# bootstrap")
    assert (
        members[f"{dist_info}/entry_points.txt"].decode() == "[console_scripts]\nbootstrap = bootstrap.cli.entry:main\n"
    )


def test_the_record_lists_every_member_with_its_hash(backend: ModuleType, tmp_path: Path) -> None:
    members = _members(tmp_path / backend.build_wheel(str(tmp_path)))
    record_name = next(name for name in members if name.endswith(".dist-info/RECORD"))
    rows = [line.split(",") for line in members.pop(record_name).decode().splitlines()]
    assert [row[0] for row in rows] == [*members, record_name]
    for path, digest, size in rows[:-1]:
        content = members[path]
        expected = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
        assert (digest, int(size)) == (f"sha256={expected}", len(content)), path


def test_builds_are_byte_identical(backend: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = tmp_path / "a" / backend.build_wheel(str(tmp_path / "a"))
    second = tmp_path / "b" / backend.build_wheel(str(tmp_path / "b"))
    assert first.read_bytes() == second.read_bytes()


def test_the_sdist_builds_the_same_wheel(backend: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "direct").mkdir()
    direct = _members(tmp_path / "direct" / backend.build_wheel(str(tmp_path / "direct")))
    sdist = tmp_path / backend.build_sdist(str(tmp_path))
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    (source,) = (tmp_path / "unpacked").iterdir()
    assert (source / "PKG-INFO").is_file() and (source / "build_backend" / "lean_build.py").is_file()
    monkeypatch.chdir(source)
    (tmp_path / "again").mkdir()
    again = _members(tmp_path / "again" / _backend().build_wheel(str(tmp_path / "again")))
    assert again == direct


def test_the_editable_wheel_points_at_the_checkout(backend: ModuleType, tmp_path: Path) -> None:
    members = _members(tmp_path / backend.build_editable(str(tmp_path)))
    assert members.pop("aws_landing_zone_bootstrap.pth") == f"{ROOT}\n".encode()
    assert all(".dist-info/" in name for name in members)
    metadata = tmp_path / "metadata"
    metadata.mkdir()
    name = backend.prepare_metadata_for_build_editable(str(metadata))
    assert (metadata / name / "METADATA").read_bytes() == members[f"{name}/METADATA"]


def test_a_project_key_it_does_not_handle_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        text.replace("[project]\n", '[project]\nauthors = [{ name = "Someone" }]\n', 1), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    backend = _backend()
    with pytest.raises(backend.BuildError, match=r"does not handle \[project\] keys \['authors'\]"):
        backend.build_wheel(str(tmp_path))


def test_an_installed_wheel_renders_from_another_folder(backend: ModuleType, tmp_path: Path) -> None:
    """Installed without the checkout on sys.path (its dependencies come from this interpreter's site-packages),
    `bootstrap init` and `bootstrap render` find the guardrail library, blueprints and runbook templates."""
    (tmp_path / "dist").mkdir()
    wheel = tmp_path / "dist" / backend.build_wheel(str(tmp_path / "dist"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", *OFFLINE, str(wheel)],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "work"
    work.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NO_COLOR": "1"}
    command = str(venv / "bin" / "bootstrap")
    for step in (["init", "--defaults", "--management-account-id", "123456789012"], ["render"]):
        done = subprocess.run([command, *step], cwd=work, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    runbooks = len(list((ROOT / "runbooks").glob("*.md.j2")))  # every runbook ships and renders
    assert f"(9 blueprints, 2 permissions, {runbooks} runbooks, 11 scps)" in done.stdout
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import bootstrap; print(bootstrap.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(venv))
