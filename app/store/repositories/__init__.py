"""SQL implementations of the repository ports (app.services.ports.store)."""
