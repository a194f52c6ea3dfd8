"""Pure validators that lean on maintained third-party libraries (no I/O, no Qt, no SQL)."""
