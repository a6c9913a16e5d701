"""The sans-I/O protocol core.

Everything here is synchronous and deterministic: clock, nonce and randomness are
arguments. Nothing in this package imports aiohttp, anyio or asyncio, or reads the
environment or the wall clock.
"""
