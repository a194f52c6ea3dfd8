"""Pure settlement domain: standard library only, no I/O, no clock reads."""
