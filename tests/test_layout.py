"""The layout docs/architecture.md draws, checked: core's packages import only lower layers (lazy
imports inside functions included), no module-level import cycle anywhere in core, core never
imports a domain, and every list of domains equals discovery."""

import ast
import os

import pytest

from r1_foundry.core.schema.domain import discover
from r1_foundry.core.schema.kinds import KINDS
from r1_foundry.core.util.registry import resolve

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORE = os.path.join(ROOT, "core")
# low -> high; a package may import its own modules and those of lower layers only
LAYERS = [("util",), ("schema",), ("answers",), ("data", "modeling"), ("rewards",), ("evaluation",), ("stages",),
          ("pipeline",), ("cli",)]
LAYER = {pkg: i for i, names in enumerate(LAYERS) for pkg in names}


def _modules():
    for folder, _, files in os.walk(CORE):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(folder, f)
                rel = os.path.relpath(path, CORE)[:-3].replace(os.sep, ".")
                name = "r1_foundry.core." + rel.removesuffix(".__init__").removesuffix("__init__")
                yield name.rstrip("."), path


def _imports(path):
    """``(module imported, at module level?)`` for every r1_foundry import of a file."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("r1_foundry"):
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("r1_foundry")]
        for n in names:
            yield n, id(node) in top


MODULES = dict(_modules())


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 3 else None  # r1_foundry.core.<package>.<module>


def test_every_core_module_is_in_a_layer():
    loose = [m for m in MODULES if m.count(".") >= 3 and _package(m) not in LAYER]
    assert not loose, f"modules outside the layers of docs/architecture.md: {loose}"


def test_packages_import_only_lower_layers_and_never_a_domain():
    wrong = []
    for module, path in MODULES.items():
        here = _package(module)
        for target, _ in _imports(path):
            if target.startswith("r1_foundry.domains"):
                wrong.append(f"{module} imports a domain ({target})")
            there = _package(target) if target.startswith("r1_foundry.core.") else None
            if here and there and there != here and LAYER[there] > LAYER[here]:
                wrong.append(f"{module} ({here}) imports {target} ({there}, a higher layer)")
    assert not wrong, "\n".join(wrong)


def test_no_module_level_import_cycle():
    graph = {m: {t for t, top in _imports(p) if top and t in MODULES and t != m} for m, p in MODULES.items()}
    state, cycles = {}, []

    def visit(m, stack):
        state[m] = "open"
        for t in graph[m]:
            if state.get(t) == "open":
                cycles.append(" -> ".join([*stack[stack.index(t):], t]))
            elif t not in state:
                visit(t, [*stack, t])
        state[m] = "done"

    for m in graph:
        if m not in state:
            visit(m, [m])
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("name", list(KINDS))
def test_stage_kind_rows_resolve(name):
    kind = KINDS[name]
    assert callable(resolve(kind.run))
    if kind.config is not None:
        assert kind.config_class().__name__.endswith("Config")


def test_domain_lists_equal_discovery():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        scripts = tomllib.load(fh)["project"]["scripts"]
    shortcuts = sorted(k.removeprefix("foundry-") for k in scripts if k.startswith("foundry-"))
    assert shortcuts == sorted(discover()), "pyproject's foundry-<domain> scripts must be the discovered domains"
    for name, domain in discover().items():
        assert scripts[f"foundry-{name}"] == f"r1_foundry.domains.{name}.cli:main"
        assert os.path.isdir(os.path.join(ROOT, "domains", name)) or domain.package_dir
