"""Delivering what the engine's outbox (``core.engine.outbox``) planned: rendering (``render``),
the queue of Dramatiq actors (``queue``), delivery with retries and leases (``delivery``), the
transports (``transports``) and the failure digest (``digest``). The database holds time: nothing
waits inside the broker; the scheduler tick (``core.scheduler``) hands due rows to the queue."""
