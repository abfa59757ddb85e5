"""The ``genopath`` command line: one command group per domain, no domain logic."""
