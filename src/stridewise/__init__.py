"""Stridewise: training areas, load and injury-risk heuristics for runners and coaches."""

__version__ = "0.1.0"
