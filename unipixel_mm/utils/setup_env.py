"""Registration of all unipixel_mm modules and the default scope."""
import datetime
import warnings

from mmengine.registry import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every unipixel_mm subpackage so their modules get registered.

    Args:
        init_default_scope (bool): Whether to make ``unipixel_mm`` the current
            default scope. When another scope is current, a new instance named
            ``unipixel_mm-<timestamp>`` is created. Defaults to True.
    """
    import unipixel_mm.datasets  # noqa: F401
    import unipixel_mm.engine  # noqa: F401
    import unipixel_mm.evaluation  # noqa: F401
    import unipixel_mm.models  # noqa: F401
    import unipixel_mm.structures  # noqa: F401
    import unipixel_mm.visualization  # noqa: F401

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created(
            'unipixel_mm'):
        DefaultScope.get_instance('unipixel_mm', scope_name='unipixel_mm')
        return
    if current.scope_name != 'unipixel_mm':
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      'not "unipixel_mm"; `register_all_modules` switches to '
                      'a new "unipixel_mm" scope instance.')
        stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S-%f')
        DefaultScope.get_instance(
            f'unipixel_mm-{stamp}', scope_name='unipixel_mm')
