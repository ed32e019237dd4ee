"""Load a script of ``tools/`` as a module (``tools/`` is no package)."""
import importlib.util
import os.path as osp
import sys
from types import ModuleType

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def load_tool(name: str) -> ModuleType:
    """``tools/<name>.py`` as a fresh module named ``tools_<name>``; its
    imports of sibling scripts resolve as when it runs as a script."""
    tools = osp.join(ROOT, 'tools')
    if tools not in sys.path:
        sys.path.append(tools)
    spec = importlib.util.spec_from_file_location(
        f'tools_{name}', osp.join(tools, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
