"""What people read: the case list and search (``caselist``), reports and charts, CSV exports, and the
dry run of a procedure (``dry_run``, which rolls back whatever it does)."""
