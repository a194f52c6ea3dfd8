"""The hospital's shared record on PostgreSQL (hospital mode): schema, migrations and the adapter."""
