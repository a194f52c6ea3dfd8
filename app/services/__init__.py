"""Use cases: plain synchronous Python, no Qt, no SQL, no HTTP. They depend on the ports only."""
