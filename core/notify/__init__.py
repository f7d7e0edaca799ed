"""Notifications: the outbox (``outbox``), rendering (``render``), transports
(``transports``), delivery by a Dramatiq actor (``queue``) and the scheduler tick
(``scheduler``). The database holds time: nothing waits inside the broker."""
