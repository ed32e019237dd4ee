"""Hugging Face hub ids where a checkpoint directory is expected.

``resolve_model_path('PolyU-ChenLab/UniPixel-3B')`` gives the folder of the
repository's snapshot in the user's Hugging Face cache, downloading it the
first time (``huggingface_hub.snapshot_download``, which honours
``HF_HUB_CACHE``, ``HF_HOME``, ``HF_HUB_OFFLINE`` and ``HF_TOKEN``). A local
path that exists always wins over a hub id of the same spelling.
"""
import os.path as osp
from typing import Optional

#: Endings of files a tool takes beside checkpoint directories: such a name
#: is a missing local file, never a hub id.
FILE_ENDINGS = ('.py', '.pth', '.pt', '.ckpt', '.bin', '.safetensors',
                '.json', '.yaml', '.yml', '.pkl')


def is_hub_id(name: str) -> bool:
    """Whether ``name`` reads as a hub model id (``org/name``) rather than
    a local path: one ``/``, no leading ``.``, ``/`` or ``~``, no file
    ending, and valid by ``huggingface_hub``'s rules."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id
    if (name.count('/') != 1 or name.startswith(('.', '/', '~'))
            or name.lower().endswith(FILE_ENDINGS)):
        return False
    try:
        validate_repo_id(name)
    except HFValidationError:
        return False
    return True


def resolve_model_path(name: Optional[str]) -> Optional[str]:
    """A local path for a checkpoint directory given as a path or a hub id.

    Args:
        name (str, optional): A local file or directory, or a hub model id
            such as ``'PolyU-ChenLab/UniPixel-3B'``.

    Returns:
        str | None: ``name`` itself when it exists locally, is None or is no
        hub id (the caller reports a missing path), else the snapshot
        folder of the hub repository in the Hugging Face cache.

    Raises:
        FileNotFoundError: When the hub id is neither cached nor reachable
            (offline, no network, hub down), or the hub has no such
            readable repository; the message names the id.
    """
    if name is None or osp.exists(name) or not is_hub_id(name):
        return name
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.errors import (GatedRepoError, HfHubHTTPError,
                                        LocalEntryNotFoundError,
                                        RepositoryNotFoundError)
    try:
        # offline read at call time (the hub's HTTP session may have been
        # made online earlier in the process)
        return snapshot_download(
            name, local_files_only=constants.HF_HUB_OFFLINE)
    except LocalEntryNotFoundError:
        why = ('HF_HUB_OFFLINE is set' if constants.HF_HUB_OFFLINE else
               'no network connection, or the hub is down')
        raise FileNotFoundError(
            f'"{name}" is no local path, and the Hugging Face hub model '
            f'"{name}" has no copy in the cache {constants.HF_HUB_CACHE} and '
            f'cannot be downloaded ({why}): download it once with network '
            'access, or give a local directory') from None
    except (RepositoryNotFoundError, GatedRepoError) as error:
        raise FileNotFoundError(
            f'"{name}" is no local path, and the Hugging Face hub has no '
            f'model "{name}" readable with your token '
            f'({type(error).__name__})') from None
    except HfHubHTTPError as error:
        first = str(error).strip().splitlines()[0] if str(error) else ''
        raise FileNotFoundError(
            f'"{name}" is no local path, and downloading the Hugging Face '
            f'hub model "{name}" failed: {first}') from None
