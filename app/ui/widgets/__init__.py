"""Widgets shared by the console and the assist app."""
