"""Write files so that nobody ever sees half of one: temp file beside the target, fsync, `os.replace`.

A crash, a full disk or Ctrl-C while writing leaves either the old file or the new one, never a mix, and
never a temp file behind. `write_tree` does the same for a whole output folder: every file is rendered
before the first byte is written, written one by one atomically, and only then are stale files removed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from bootstrap.errors import BootstrapError


class WriteError(BootstrapError):
    """A file could not be written or removed; the old content (if any) is still in place."""


def atomic_write(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8, newlines as given) in one step.

    The temp file lives in the same directory so `os.replace` is a rename on one filesystem (atomic on
    POSIX and Windows). An existing file keeps its permission bits; a new one gets the usual umask.
    """
    path = Path(path)
    directory = path.parent
    data = text.encode("utf-8")
    tmp = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
    done = False
    try:
        directory.mkdir(parents=True, exist_ok=True)
        mode = _existing_mode(path)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
        done = True
    except OSError as err:
        raise WriteError(
            f"cannot write {path}: {err.strerror or err}",
            "Check that the folder exists, is writable and has free space; the previous file is unchanged.",
        ) from err
    finally:
        if not done:
            _remove_quietly(tmp)
    _fsync_directory(directory)


def write_tree(root: Path, files: Mapping[str, str], *, managed: Iterable[str]) -> list[Path]:
    """Write `files` (POSIX paths relative to `root` -> text) and prune the `managed` sub-folders.

    Every path must lie inside one of the `managed` sub-folders. Files whose bytes are already right
    are left alone (their timestamps too), so a re-render touches nothing. After all writes succeeded,
    files in the managed sub-folders that `files` does not name are removed (an OU dropped from the
    spec loses its SCP file); anything else under `root` is never touched. Returns the paths, sorted.
    """
    root = Path(root)
    folders = tuple(managed)
    targets = {_target(root, relative, folders): text for relative, text in files.items()}
    for directory in sorted({path.parent for path in targets}):
        try:  # a folder that cannot exist fails the render before any file is written
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise WriteError(
                f"cannot create the folder {directory}: {err.strerror or err}",
                "Choose another --output folder, or remove the file that is in the way.",
            ) from err
    for path, text in sorted(targets.items()):
        if _current_bytes(path) != text.encode("utf-8"):
            atomic_write(path, text)
    keep = set(targets)
    for folder in folders:
        _prune(root / folder, keep)
    return sorted(targets)


def _target(root: Path, relative: str, folders: tuple[str, ...]) -> Path:
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or len(pure.parts) < 2 or pure.parts[0] not in folders:
        raise ValueError(f"{relative!r} is not a relative path inside one of {', '.join(folders)}")
    return root.joinpath(*pure.parts)


def _prune(folder: Path, keep: set[Path]) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if (path.is_file() or path.is_symlink()) and path not in keep:
            try:
                path.unlink()
            except OSError as err:
                raise WriteError(
                    f"cannot remove the stale artifact {path}: {err.strerror or err}",
                    "Remove it by hand or make the output folder writable, then render again.",
                ) from err


def _current_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None  # unreadable: rewrite it, and let atomic_write report a real problem


def _existing_mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return None


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):  # best effort: the original error is the one worth reporting
        path.unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); directories cannot be opened for fsync on Windows."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on directories; the file itself is already durable
    finally:
        os.close(fd)
