"""Faults tests inject: a COMMIT that fails as if the connection dropped, a hanging endpoint."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError


class ConnectionLost(Exception):
    """What the driver would raise when the server goes away."""


def _lose_connection(conn: Any) -> None:
    raise OperationalError("COMMIT", {}, ConnectionLost("server closed the connection"))


@contextmanager
def commit_fails(target: Flask | Engine) -> Iterator[None]:
    """Every COMMIT on the app's engine fails (nothing is committed) while this lasts."""
    engine = target.extensions["tcma.engine"] if isinstance(target, Flask) else target
    propagate = None
    if isinstance(target, Flask):
        # As in production: the error page, not the exception, reaches the client.
        propagate = target.config.get("PROPAGATE_EXCEPTIONS")
        target.config["PROPAGATE_EXCEPTIONS"] = False
    event.listen(engine, "commit", _lose_connection)
    try:
        yield
    finally:
        event.remove(engine, "commit", _lose_connection)
        if isinstance(target, Flask):
            target.config["PROPAGATE_EXCEPTIONS"] = propagate


@contextmanager
def hanging_listener() -> Iterator[str]:
    """An endpoint on 127.0.0.1 that accepts connections and never answers; yields its URL."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)  # read nothing, answer nothing, keep it open

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        server.close()


@contextmanager
def dummy_aws_credentials() -> Iterator[None]:
    """Credentials boto3 accepts, so requests reach the endpoint (and nowhere else)."""
    names = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
    saved = {name: os.environ.get(name) for name in (*names, "AWS_PROFILE", "AWS_ENDPOINT_URL")}
    os.environ.update(dict(zip(names, ("testing", "testing", "us-east-1"), strict=True)))
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
