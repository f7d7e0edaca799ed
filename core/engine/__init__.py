"""The case engine: opening a case and walking its ladder (``cases``), who may act (``access``), the
directory, deadlines that pass (``overdue``, ``recalculate``), the outbox planned in the same transaction,
the audit trail, drafts, learning and erasure (``retention``)."""
