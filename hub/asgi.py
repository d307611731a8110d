"""The ASGI entry point for uvicorn workers: ``hub.asgi:app``."""

from hub.app import build_app

app = build_app()
