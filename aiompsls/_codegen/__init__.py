"""The code generator: spec file in, checked-in typed source out.

Stdlib only (``tomllib``, string templates), so it still runs when the generated code is
broken. Run ``python -m aiompsls._codegen`` after editing the spec
(``aiompsls/_spec/mpserverless.toml``); ``--check`` fails on any drift.
"""
