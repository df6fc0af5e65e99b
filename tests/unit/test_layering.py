"""The layering of DESIGN.md (`cli -> sandbox -> workflow -> apply -> plan -> observe -> types -> aws -> core`),
checked on the source: every import, at module level or inside a function, goes down or stays in its layer, and
no two modules import each other, directly or in a circle.

An import under `if TYPE_CHECKING:` is for annotations only and is not counted (it never runs).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LAYERS: tuple[tuple[str, ...], ...] = (
    ("bootstrap.__main__", "bootstrap.cli"),
    ("bootstrap.sandbox",),
    ("bootstrap.workflow", "bootstrap.status", "bootstrap.console"),
    ("bootstrap.apply",),
    ("bootstrap.plan",),
    ("bootstrap.observe",),
    ("bootstrap.render",),
    ("bootstrap.types",),
    ("bootstrap.aws",),
    (
        "bootstrap.spec",
        "bootstrap.guardrails",
        "blueprints",
        "bootstrap.desired",
        "bootstrap.resources",
        "bootstrap.changes",
        "bootstrap.observed",
        "bootstrap.errors",
        "bootstrap",
    ),
)
"""Top to bottom. A module belongs to the first entry its name starts with (`bootstrap` itself, the package's
`__init__`, is the core)."""


def _modules() -> dict[str, Path]:
    found = {}
    for path in [*ROOT.glob("bootstrap/**/*.py"), *ROOT.glob("blueprints/**/*.py")]:
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


MODULES = _modules()


def _layer(module: str) -> int:
    for index, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """The project modules `path` imports (for `from a.b import c`, `a.b.c` when that is a module, else `a.b`)."""
    tree = ast.parse(path.read_text())
    skipped = {id(n) for node in ast.walk(tree) if _type_checking(node) for n in ast.walk(node)}
    if top_level_only:
        nodes: list[ast.AST] = [n for n in tree.body if not _type_checking(n)]
    else:
        nodes = [n for n in ast.walk(tree) if id(n) not in skipped]
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                names.add(full if full in MODULES else node.module)
    return {n for n in names if n in MODULES}


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        _layer(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down(module: str) -> None:
    upward = sorted(m for m in _imports(MODULES[module]) if _layer(m) < _layer(module))
    assert not upward, f"{module} (layer {LAYERS[_layer(module)]}) imports a layer above it: {upward}"


def test_no_import_circles() -> None:
    """Module-level imports form no cycle (a function-level import is how a lazy import breaks one on purpose,
    and it still has to go down, above)."""
    graph = {m: _imports(p, top_level_only=True) - {m} for m, p in MODULES.items()}
    # A package's __init__ imported by its own submodules is Python's doing, not a circle of ours.
    for module, targets in graph.items():
        graph[module] = {t for t in targets if not module.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycle = [*stack[stack.index(target) :], target]
                raise AssertionError("import circle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_the_layering_check_can_fail(tmp_path: Path) -> None:
    """An upward import is seen (so a green run means something)."""
    probe = tmp_path / "probe.py"
    probe.write_text("from bootstrap.cli.app import main\n\ndef f():\n    from bootstrap.workflow import plan_live\n")
    assert _imports(probe) == {"bootstrap.cli.app", "bootstrap.workflow"}
    assert _layer("bootstrap.cli.app") < _layer("bootstrap.types.kms")
