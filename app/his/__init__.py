"""HIS adapters: how this window talks to the hospital information system.

Three transports of one contract (:class:`~app.services.ports.his.HisGateway`), chosen in the
configuration: database middle tables (:mod:`.middle`), HTTP JSON (:mod:`.http`) and a folder of
files (:mod:`.folder`). The contract, the DDL and sample payloads are in ``docs/his-integration.md``.
"""
