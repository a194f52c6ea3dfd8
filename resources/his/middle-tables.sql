-- Settlement window <-> HIS middle tables (中间表), contract version 1.
-- Portable SQL (SQLite, PostgreSQL; SQL Server and Oracle notes in docs/his-integration.md).
-- The HIS vendor owns the tables. his_pending_charges may instead be a VIEW over the HIS's own
-- charge tables with exactly these column names. The window's database account needs SELECT on
-- his_pending_charges and INSERT + SELECT on his_settle_results (plus INSERT + SELECT + DELETE on
-- the optional his_charge_locks at the end), nothing else.
-- Statements are separated by a line holding only ';' so that scripts can split them safely.

CREATE TABLE his_pending_charges (
    charge_id       VARCHAR(64)    NOT NULL PRIMARY KEY, -- 明细序号: unique line id in the HIS
    bill_no         VARCHAR(64)    NOT NULL,             -- 处方号/单据号
    visit_no        VARCHAR(64)    NOT NULL,             -- 门诊号/就诊流水号
    patient_id      VARCHAR(64),                         -- HIS patient id
    id_number       VARCHAR(18),                         -- 身份证号
    card_no         VARCHAR(32),                         -- 社保卡号
    voucher_id      VARCHAR(128),                        -- 医保电子凭证 identity, if the HIS knows it
    patient_name    VARCHAR(64),
    dept_code       VARCHAR(32),
    dept_name       VARCHAR(64),
    doctor_code     VARCHAR(32),
    doctor_name     VARCHAR(64),
    diagnosis_code  VARCHAR(32),
    diagnosis_name  VARCHAR(128),
    visit_time      VARCHAR(19),                         -- local time 'yyyy-MM-dd HH:mm:ss' (UTC+8)
    item_code       VARCHAR(64)    NOT NULL,             -- 院内项目编码
    national_code   VARCHAR(64),                         -- 医保国家编码
    item_name       VARCHAR(128)   NOT NULL,
    spec            VARCHAR(64),
    unit_price      DECIMAL(18, 4) NOT NULL,
    quantity        DECIMAL(18, 4) NOT NULL,
    amount          DECIMAL(16, 2) NOT NULL,             -- must equal round(unit_price * quantity, 2)
    tag             VARCHAR(16),                         -- 'general', a disease code (M00500), or empty
    charge_status   CHAR(1)        NOT NULL,             -- '0' unpaid, '1' paid, '2' withdrawn
    row_version     VARCHAR(32)    NOT NULL              -- changes whenever the row changes
)
;
CREATE INDEX ix_his_pending_id_number ON his_pending_charges (id_number)
;
CREATE INDEX ix_his_pending_card_no ON his_pending_charges (card_no)
;
CREATE INDEX ix_his_pending_visit_no ON his_pending_charges (visit_no)
;
CREATE TABLE his_settle_results (
    result_key        VARCHAR(160)   NOT NULL PRIMARY KEY, -- setl_id:charge_id:kind, unique per result
    kind              VARCHAR(24)    NOT NULL,  -- settled | cancelled | partly_refunded | self_pay_collected
    charge_id         VARCHAR(64)    NOT NULL,
    visit_no          VARCHAR(64),
    setl_id           VARCHAR(64)    NOT NULL,  -- the platform's settlement id (ZF… for self-pay)
    orig_setl_id      VARCHAR(64),              -- cancelled: the settlement undone; partly_refunded: the original
    receipt_no        VARCHAR(32),
    fee_category      VARCHAR(16)    NOT NULL,  -- general | chronic | self_pay
    fee_category_name VARCHAR(64),
    disease_code      VARCHAR(16),
    amount            DECIMAL(16, 2) NOT NULL,  -- this line's share; negative for a cancellation
    fund              DECIMAL(16, 2) NOT NULL,
    account           DECIMAL(16, 2) NOT NULL,
    cash              DECIMAL(16, 2) NOT NULL,
    hospital          DECIMAL(16, 2) NOT NULL,  -- fund + account + cash + hospital = amount
    occurred_at       VARCHAR(19)    NOT NULL,  -- local time 'yyyy-MM-dd HH:mm:ss' (UTC+8)
    operator_code     VARCHAR(32),
    window_no         VARCHAR(32),
    his_status        CHAR(1)        DEFAULT '0' NOT NULL, -- '0' new, '1' applied, '2' refused (HIS job)
    his_msg           VARCHAR(200),             -- the reason when refused
    his_ref           VARCHAR(64),              -- the HIS's receipt / voucher number once applied
    his_time          VARCHAR(19)
)
;
CREATE INDEX ix_his_results_charge ON his_settle_results (charge_id)
;
CREATE INDEX ix_his_results_status ON his_settle_results (his_status)
;
-- Optional: the HIS's lock on charge lines (lock-then-pay), only when the HIS offers it
-- ([his] lock = true). A window inserts one row per charge line before it settles the line; the
-- primary key makes a second window's insert fail, which the window reads as "held". The window
-- deletes its rows after a cancel or an abandon; the HIS job deletes a line's row once it applies
-- the line's payment (its paid state guards from then on). The window's account needs INSERT,
-- SELECT and DELETE on it. SQL Server / Oracle notes in docs/his-integration.md.
CREATE TABLE his_charge_locks (
    charge_id   VARCHAR(64)  NOT NULL PRIMARY KEY, -- the locked line (his_pending_charges.charge_id)
    visit_no    VARCHAR(64)  NOT NULL,
    window_no   VARCHAR(32)  NOT NULL,             -- the window holding it
    claim_id    VARCHAR(64)  NOT NULL,             -- the window's bill: the same claim may lock again
    locked_at   VARCHAR(19)  NOT NULL              -- local time 'yyyy-MM-dd HH:mm:ss' (UTC+8)
)
;
