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


def test_a_broken_domain_is_reported_by_name_and_the_others_still_load(tmp_path, monkeypatch, capsys):
    import r1_foundry.domains as package
    from r1_foundry.core.schema import domain as dom
    from r1_foundry.core.util.errors import FoundryError

    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "__init__.py").write_text("import a_module_nobody_installed\n")
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    monkeypatch.setattr(dom, "BROKEN", {})
    dom.discover.cache_clear()
    try:
        found = dom.discover()
        assert {"chem", "finance", "legal", "medical", "safety", "sql"} <= set(found) and "broken" not in found
        assert "a_module_nobody_installed" in dom.BROKEN["broken"]
        assert "domain 'broken' failed to load" in capsys.readouterr().err
        with pytest.raises(FoundryError, match="domain 'broken' failed to load"):
            dom.get_domain("broken")
    finally:
        dom.discover.cache_clear()


def test_suites_are_typed_with_a_required_primary():
    from r1_foundry.core.schema.suite import Suite
    from r1_foundry.core.util.errors import FoundryError

    s = Suite.of({"name": "x", "primary": "a", "metrics": ["a", "err"], "lower_is_better": ["err"]})
    assert s.split == "test" and s.directions() == {"a": True, "err": False}
    for bad, match in (({"name": "x", "metrics": ["a"]}, "missing field 'primary'"),
                       ({"name": "x", "primary": "b", "metrics": ["a"]}, "not one of its metrics"),
                       ({"name": "x", "primary": "a", "metrics": ["a"], "lower_is_better": ["z"]}, "lower_is_better"),
                       ({"name": "x", "primary": "a", "metrics": ["a"], "primry": 1}, "unknown suite field")):
        with pytest.raises(FoundryError, match=match):
            Suite.of(bad, "s.yaml")


def test_stage_options_are_read_into_typed_values():
    from r1_foundry.core.schema.kinds import KL, Merge, Sampling
    from r1_foundry.core.schema.recipe import build_stage

    grpo = build_stage({"kind": "grpo", "rewards": "arctic", "filter": {"k": 4, "pass_rate": [0.1, 0.9]},
                        "kl": {"start": 0.04}}, "r")
    assert grpo.options["filter"] == Sampling(k=4, pass_rate=(0.1, 0.9)) and grpo.options["kl"] == KL(0.04, 0.0)
    assert build_stage({"kind": "rft"}, "r").options["sample"] == Sampling(k=8)
    merge = build_stage({"kind": "merge", "merge": {"method": "task_vector", "from": "sft", "to": "grpo"}}, "r")
    assert merge.options["merge"] == Merge("task_vector", source="sft", to="grpo")
