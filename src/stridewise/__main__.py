"""``python -m stridewise``: see :mod:`stridewise.cli`."""

from stridewise.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
