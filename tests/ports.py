"""A free TCP port on localhost for the tests that start process groups
or servers."""
import socket


def free_port() -> int:
    """A port that nothing listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
