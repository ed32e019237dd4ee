"""One-line errors for the command-line tools."""
import sys
from contextlib import contextmanager
from typing import Iterator

#: The exit status of a tool stopped by an error.
EXIT_ERROR = 2


def one_line(error: BaseException) -> str:
    """``'<Type>: <message>'`` on one line."""
    message = ' '.join(str(error).split()) or repr(error)
    return f'{type(error).__name__}: {message}'


@contextmanager
def cli_errors(debug: bool = False) -> Iterator[None]:
    """Turns an exception of the block into one line on stderr and exit
    status :data:`EXIT_ERROR`; with ``debug`` it propagates (traceback).

    Args:
        debug (bool): Keep the traceback (the tools' ``--debug``).
    """
    try:
        yield
    except Exception as error:
        if debug:
            raise
        print(
            f'error: {one_line(error)} (--debug shows the traceback)',
            file=sys.stderr)
        sys.exit(EXIT_ERROR)
