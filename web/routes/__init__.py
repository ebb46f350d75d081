"""Routers of the web view, one module per page family."""
