"""The hospital-wide charge claim as one server-side function (issue 13: the cashier's path in one round
trip). ``hospital_claim_charges`` does in the server what the window did statement by statement: the
missing rows inserted, every row of the request locked (keys in sorted order, so two windows claiming
overlapping visits queue instead of deadlocking), the other bills holding any of them found, and either
every row taken for this bill or nothing changed (the inserts rolled back with the block's
savepoint). It runs with the caller's rights (the window role's SELECT, INSERT and UPDATE).

Revision ID: h0007
Revises: h0006
"""

from __future__ import annotations

from alembic import op

revision = "h0007"
down_revision = "h0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE FUNCTION hospital_claim_charges(
  p_window text, p_bill text, p_keys text[], p_line_nos text[], p_at timestamptz,
  p_take_over text[], p_stale_before timestamptz, p_visit_nos text[], p_lines text[])
RETURNS TABLE (held_window text, held_bill text, held_settlements text[], held_since timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  h record;
  settled text[];
  windows text[] := '{}';
  bills text[] := '{}';
  settled_json text[] := '{}';
  moments timestamptz[] := '{}';
BEGIN
  BEGIN
    INSERT INTO hospital_charge_claims (charge_key, "window", bill_id, line_no, claimed_at)
      SELECT k, p_window, p_bill, l, p_at FROM unnest(p_keys, p_line_nos) AS u(k, l)
      ON CONFLICT (charge_key) DO NOTHING;
    PERFORM 1 FROM hospital_charge_claims c WHERE c.charge_key = ANY (p_keys)
      ORDER BY c.charge_key FOR UPDATE;
    FOR h IN
      SELECT c."window" AS w, c.bill_id AS b, max(c.claimed_at) AS at
      FROM hospital_charge_claims c
      WHERE c.charge_key = ANY (p_keys) AND c.released_at IS NULL AND c.bill_id <> p_bill
        AND c."window" <> p_window AND c.bill_id <> ALL (p_take_over)
      GROUP BY c."window", c.bill_id
      ORDER BY min(c.charge_key)
    LOOP
      settled := ARRAY(
        SELECT s.settlement_id::text FROM hospital_settlements s
        WHERE s.bill_id = h.b AND NOT s.is_cancellation AND s.cancelled_by = ''
        ORDER BY s.settlement_id);
      -- Left behind (not blocking): old, nothing of it live or in flight, its window caught up.
      CONTINUE WHEN cardinality(settled) = 0 AND h.at < p_stale_before
        AND NOT EXISTS (
          SELECT 1 FROM hospital_journal j
          -- definite outcomes: app.domain.journal.JournalState.is_resolved
          WHERE j.bill_id = h.b AND j.state NOT IN ('ok', 'failed', 'reversed', 'void', 'cleaned'))
        AND EXISTS (
          SELECT 1 FROM hospital_windows w
          WHERE w.device_no = h.w AND w.last_sync_at IS NOT NULL
            AND w.last_sync_at > h.at AND w.pending = 0);
      windows := windows || h.w::text;
      bills := bills || h.b::text;
      settled_json := settled_json || array_to_json(settled)::text;
      moments := moments || h.at;
    END LOOP;
    IF cardinality(windows) > 0 THEN
      RAISE EXCEPTION USING ERRCODE = 'SWCLB', MESSAGE = 'charges held by other bills';
    END IF;
    UPDATE hospital_charge_claims c
      SET "window" = p_window, bill_id = p_bill, claimed_at = p_at, released_at = NULL,
          his_visit_no = u.v, his_line = u.l
      FROM unnest(p_keys, p_visit_nos, p_lines) AS u(k, v, l)
      WHERE c.charge_key = u.k;
  EXCEPTION WHEN SQLSTATE 'SWCLB' THEN
    NULL;  -- rolled back to the block's start: nothing of this claim stays
  END;
  RETURN QUERY
    SELECT u.w, u.b, ARRAY(SELECT json_array_elements_text(u.s::json)), u.a
    FROM unnest(windows, bills, settled_json, moments) WITH ORDINALITY AS u(w, b, s, a, n)
    ORDER BY u.n;
END
$$"""
    )


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION hospital_claim_charges(text, text, text[], text[], timestamptz, text[], "
        "timestamptz, text[], text[])"
    )
