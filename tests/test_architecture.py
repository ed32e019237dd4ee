"""The package's layers: the static import graph (every import, also those
inside functions) has no cycle and no forbidden direction, and moved public
names still work through deprecation aliases."""
import ast
import importlib
import os
import os.path as osp

import pytest
from tool_module import ROOT

PKG = 'unipixel_mm'

#: (importer area, imported area) pairs that must not occur; an area is the
#: first subpackage (``models``, ``datasets``...), '' for top-level modules.
FORBIDDEN = [
    ('models', 'datasets'),
    ('datasets', 'models'),
    ('evaluation', 'models'),
    ('evaluation', 'datasets'),
    # the token protocol is the ground floor
    *[('text', area) for area in ('models', 'datasets', 'evaluation',
                                  'engine', 'apis', 'interop', 'utils',
                                  'visualization')],
    # no layer below the top one imports the tools / setup helpers
    *[(area, 'utils') for area in ('models', 'datasets', 'evaluation',
                                   'engine', 'text', 'structures',
                                   'visualization')],
    *[(area, 'apis') for area in ('models', 'datasets', 'evaluation',
                                  'engine', 'text')],
]


def package_modules(root: str = ROOT) -> dict:
    """Dotted module name -> file of every module of the package."""
    mods = {}
    for folder, _, files in os.walk(osp.join(root, PKG)):
        for name in files:
            if name.endswith('.py'):
                path = osp.join(folder, name)
                dotted = osp.relpath(path, root)[:-3].replace(os.sep, '.')
                mods[dotted.removesuffix('.__init__')] = path
    return mods


def _targets(module: str, path: str, node: ast.AST) -> list:
    """The dotted names an import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    stem = node.module or ''
    if node.level:
        parts = module.split('.')
        if not path.endswith('__init__.py'):
            parts = parts[:-1]
        parts = parts[:len(parts) - node.level + 1]
        stem = '.'.join(parts + ([node.module] if node.module else []))
    return [stem] + [f'{stem}.{alias.name}' for alias in node.names]


def import_graph(mods: dict) -> dict:
    """Module -> the package modules it imports (at any depth of its code).

    Importing ``a.b.c`` counts as importing the module ``a.b.c`` (a name
    imported from a module resolves to the module); a module's own parent
    packages are not counted.
    """
    edges = {m: set() for m in mods}
    for module, path in mods.items():
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for target in _targets(module, path, node):
                while target and target not in mods:
                    target = target.rpartition('.')[0]
                if target and target != module and not module.startswith(
                        target + '.'):
                    edges[module].add(target)
    return edges


def find_cycles(edges: dict) -> list:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return cycles


def area(module: str) -> str:
    """The first subpackage (or top-level module) of a module's name."""
    parts = module.split('.')
    return parts[1] if len(parts) > 1 else ''


def forbidden_imports(edges: dict) -> list:
    return sorted(f'{src} imports {dst}' for src, targets in edges.items()
                  for dst in targets if (area(src), area(dst)) in FORBIDDEN)


@pytest.fixture(scope='module')
def graph():
    return import_graph(package_modules())


def test_the_graph_finds_cycles_and_forbidden_imports(tmp_path):
    pkg = tmp_path / PKG
    for sub in ('models', 'datasets'):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / '__init__.py').write_text('')
    (pkg / '__init__.py').write_text('')
    (pkg / 'models' / 'a.py').write_text(
        'def f():\n    from unipixel_mm.datasets.b import g\n')
    (pkg / 'datasets' / 'b.py').write_text('from ..models.a import f\n')
    edges = import_graph(package_modules(str(tmp_path)))
    assert edges['unipixel_mm.models.a'] == {'unipixel_mm.datasets.b'}
    assert edges['unipixel_mm.datasets.b'] == {'unipixel_mm.models.a'}
    assert find_cycles(edges) == [[
        'unipixel_mm.datasets.b', 'unipixel_mm.models.a'
    ]]


def test_no_import_cycle(graph):
    assert find_cycles(graph) == []


def test_no_forbidden_direction(graph):
    assert forbidden_imports(graph) == []


def test_nothing_imports_tools():
    offenders = []
    for module, path in package_modules().items():
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or '']
            else:
                continue
            if any(n == 'tools' or n.startswith('tools.') for n in names):
                offenders.append(module)
    assert offenders == []


@pytest.mark.parametrize('old_module,name,new_module', [
    ('unipixel_mm.datasets.tokenizer', 'SEG_TOKEN', 'unipixel_mm.text'),
    ('unipixel_mm.utils', 'build_from_official',
     'unipixel_mm.models.checkpoint'),
    ('unipixel_mm.utils.strict_loading', 'load_checkpoint_strict',
     'unipixel_mm.models.checkpoint.strict'),
])
def test_moved_names_warn_and_work(old_module, name, new_module):
    old = importlib.import_module(old_module)
    with pytest.warns(DeprecationWarning, match=new_module):
        value = getattr(old, name)
    assert value is getattr(importlib.import_module(new_module), name)
    with pytest.raises(AttributeError, match='no attribute'):
        getattr(old, 'no_such_name')


def test_the_package_uses_no_moved_name():
    """The package's own imports never go through a deprecation alias."""
    from unipixel_mm.deprecation import MOVED
    mods = package_modules()
    for module, path in mods.items():
        with open(path) as f:
            if 'moved_names(' in (src := f.read()) or \
                    'alias_moved_modules(' in src:
                importlib.import_module(module)  # records its aliases
    assert 'unipixel_mm.datasets.tokenizer' in MOVED
    offenders = []
    for module, path in mods.items():
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                stem = _targets(module, path, node)[0]
                moved = MOVED.get(stem, {})
                offenders += [
                    f'{module}: {stem}.{a.name}' for a in node.names
                    if a.name in moved
                ]
            elif isinstance(node, ast.Import):
                offenders += [
                    f'{module}: {a.name}' for a in node.names
                    if a.name in MOVED and a.name != module
                ]
    assert offenders == []


def test_registry_locations_hold_their_modules():
    """A registry's lazy ``locations`` import the modules that register
    into it (so a type resolves without importing the package first)."""
    from unipixel_mm import registry
    from unipixel_mm.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    misplaced = []
    for name in registry.__all__:
        reg = getattr(registry, name)
        for key, obj in reg.module_dict.items():
            module = getattr(obj, '__module__', '')
            if module.startswith('unipixel_mm.interop'):
                continue  # opt-in: configs import it (custom_imports)
            if not module.startswith('unipixel_mm'):
                continue  # registered by a test's helper module
            if not any(module == loc or module.startswith(loc + '.')
                       for loc in reg._locations):
                misplaced.append(f'{name}.{key} in {module}')
    assert misplaced == []
    assert registry.MODEL_WRAPPERS.get('CPUDistributedDataParallel')
    # (its lazy location: register_all_modules leaves the apis out)
    assert registry.INFERENCERS.get('UniPixelInferencer')
    # a child registry holds our modules, or is one mmengine builds from
    # under the default scope (its lookups fall through to mmengine's)
    empty = [n for n in registry.__all__ if not getattr(registry, n)]
    assert set(empty) <= set(registry.BUILT_BY_MMENGINE)
    assert registry.LOOPS.get('IterBasedTrainLoop').__module__.startswith(
        'mmengine')


def _config_bases(path: str) -> list:
    """The files a config's ``_base_`` names (read statically)."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '_base_'
                for t in node.targets):
            names = ast.literal_eval(node.value)
            names = [names] if isinstance(names, str) else names
            return [
                osp.normpath(osp.join(osp.dirname(path), n)) for n in names
            ]
    return []


def _config_depth(path: str) -> int:
    if not osp.isfile(path):  # another toolkit's (``mmdet::...``)
        return 0
    return 1 + max([_config_depth(b) for b in _config_bases(path)] or [0])


def test_configs_inherit_at_most_four_levels():
    deep = []
    for folder, _, files in os.walk(osp.join(ROOT, 'configs')):
        for name in files:
            if name.endswith('.py'):
                path = osp.join(folder, name)
                if _config_depth(path) > 4:
                    deep.append(osp.relpath(path, ROOT))
    assert deep == []
    assert _config_depth(osp.join(ROOT, 'configs', 'unipixel_7b.py')) == 3
