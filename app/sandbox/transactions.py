"""The transaction table: ``infno`` → handler."""

from __future__ import annotations

from app.sandbox import tx_person, tx_recon, tx_settle, tx_visit
from app.sandbox.core import Handler

HANDLERS: dict[str, Handler] = {
    "9001": tx_person.sign_in,
    "9002": tx_person.sign_out,
    "1101": tx_person.person_info,
    "5301": tx_person.qualifications,
    "2201": tx_visit.register,
    "2202": tx_visit.unregister,
    "2203": tx_visit.upload_visit,
    "2203A": tx_visit.upload_visit,
    "2204": tx_visit.upload_fees,
    "2205": tx_visit.cancel_fees,
    "2206": tx_settle.preview,
    "2207": tx_settle.settle_batch,
    "2208": tx_settle.cancel_settlement,
    "2601": tx_settle.reverse,
    "5203": tx_settle.query_settlement,
    "3201": tx_recon.reconcile_totals,
    "3202": tx_recon.reconcile_details,
    "9101": tx_recon.upload_file,
    "9102": tx_recon.download_file,
    "1312": tx_recon.query_catalogue,
    "1301": tx_recon.catalogue_file,
    "1305": tx_recon.catalogue_file,
    "1306": tx_recon.catalogue_file,
}
