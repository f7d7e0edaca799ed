"""The model: what a council's procedure is (``procedures``), what Concord records (``records``), working
days (``calendar``, ``clock``), roles, and what a typed answer may be (``inputs``). Imports nothing of core
above it."""
