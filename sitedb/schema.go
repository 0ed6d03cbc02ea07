package sitedb

import "passport/internal/sqlitedb"

// SchemaVersion is the site database schema this package reads and writes,
// kept in PRAGMA user_version. A file with a newer version is refused.
var SchemaVersion = schema.Version()

// applicationID marks a SQLite file as a passport site database
// (PRAGMA application_id, "PSPT" in ASCII), so Open can refuse other databases.
const applicationID = 0x50535054

// schema is the site database's one description: every table of the file,
// trust and log alike, is created by these migrations and nowhere else.
var schema = sqlitedb.Schema{
	Name:          "passport site database",
	Hint:          "give the --db file made by `passport trust add` or `passport trust init`",
	ApplicationID: applicationID,
	Migrations:    migrations,
	// A rollback journal keeps the site database one file that can be
	// copied or kept on read-only media; a bundle import interrupted by a
	// crash leaves a hot journal that the next open rolls back.
	Journal: "DELETE",
}

// migrations[i] upgrades a store from schema version i to i+1. Each runs in
// the same transaction as the user_version update, so a store is always at
// exactly one version.
//
// Schema version 1:
//
//	authority_anchors    trust-authority public keys pinned by `trust init`; bundles must be
//	                     signed by one of them.
//	  kid BLOB PK          key id of the anchor
//	  name TEXT            label shown to people
//	  public_key BLOB      PKIX DER SubjectPublicKeyInfo
//	  added_at INTEGER     unix seconds
//
//	bundle               at most one row (id = 1): the signed trust-list bundle in force.
//	  version INTEGER      strictly increasing; an import must be newer (rollback protection)
//	  issued, expires      unix seconds from the bundle
//	  anchor_kid BLOB      the anchor that signed it (foreign key to authority_anchors)
//	  imported_at INTEGER  unix seconds
//	  raw BLOB             the signed bundle as imported, for audit and re-verification
//
//	issuer_keys          issuer public keys the site trusts; PK (kid, source).
//	  kid BLOB             8 bytes, trust.KeyID of the issuer certificate
//	  source TEXT          'direct' (`trust add`) or 'bundle' (replaced whole on import)
//	  org_code, org_name   organisation the key signs for
//	  public_key BLOB      PKIX DER SubjectPublicKeyInfo
//	  certificate BLOB     X.509 DER when the key came as a certificate, else NULL
//	  valid_from, valid_until INTEGER  unix seconds; NULL = unbounded
//	  revoked INTEGER      0 or 1
//	  revoked_from INTEGER unix seconds; credentials issued at/after it are invalid; NULL with revoked = all
//	  added_at INTEGER     unix seconds
//
//	revoked_credentials  credential ids (CWT cti bytes) revoked by the bundle in force.
//	  cti BLOB PK
//
// Schema version 2:
//
//	trust_changes        one row (id = 1) counting commits that changed a trust table.
//	  n INTEGER            bumped in the same transaction as every trust write, so a
//	                       reader can tell a trust change from a log write (see trustGen).
//
//	station_log          the verification log (log.go), one row per verification: no
//	                     images, no credential texts, no names.
//	  id INTEGER PK
//	  at INTEGER           unix milliseconds (UTC)
//	  credential_id TEXT   hex cti; '' when nothing could be decoded
//	  issuer TEXT          issuing organisation code; '' when unknown
//	  status TEXT          valid | invalid | unreadable
//	  policy TEXT          met | expiring_soon | not_met | not_evaluated | '' (no policy)
//	  reason_codes TEXT    space-separated reason codes (verify's, then policy_not_met:CODE)
//	  reason TEXT          the first reason in words, or the policy summary
//	  source TEXT          text | image | pdf | camera | other
//
// Schema version 3 binds every issuer key to what it may sign:
//
//	issuer_keys.kind TEXT      'staff' (SP1: staff passports) or 'dcc' (HC1: EU DCCs);
//	                           rows from earlier versions become 'staff'
//	issuer_keys.country TEXT   ISO 3166-1 alpha-2 country of a 'dcc' key's DCCs; '' for 'staff'
//
// A DCC signer trusted with `trust add` before version 3 is read as a
// staff-passport key and so refuses DCCs (key_not_for_this_kind) until it
// is added again with `trust add --kind dcc --country XX`: the upgrade
// fails closed rather than guessing from the certificate.
//
// Schema version 4 gives each revoked credential why and since when:
//
//	revoked_credentials.reason INTEGER        revocation reason of the registry
//	                                           (credential.RevocationReasonDefs); 0 = none given
//	revoked_credentials.revoked_from INTEGER   unix seconds it applies from; NULL = from the start
//
// Rows from earlier versions become reason 0, from the start: exactly how
// they were applied before.
//
// Schema version 5 (the decision record a receiving site's HR keeps):
//
//	station_log gains
//	  decision TEXT        the top-line decision shown: accept | check_needed | do_not_accept |
//	                       not_a_passport | cannot_read; '' for rows from before version 5
//	  action TEXT          what the person at the desk pressed: accepted | refused | ''
//	  action_by TEXT       the name they typed for their shift ('' when nothing pressed)
//	  action_at INTEGER    unix milliseconds of the press; 0 when nothing pressed
//
// Schema version 7 makes the verification log a hash chain (log.go, chain.go):
//
//	station_log gains
//	  trust_version INTEGER  the trust-list version the verification used (0 = none)
//	  policy_name TEXT       the site policy applied: its name, and for one from the trust
//	                         list "NAME from trust list N" ('' = none)
//	  ref INTEGER            on an Accept or Refuse row, the id of the verification it is
//	                         about (unique: one press per verification); NULL on a verification
//	  prev_hash BLOB         row_hash of the row before it (or log_chain.anchor for the first)
//	  row_hash BLOB          SHA-256 over prev_hash and every column of the row (chainHash)
//	log_chain            one row (id = 1), written when the chain starts
//	  anchor, anchor_id      the hash and id the first kept row follows: zeros and 0 at the
//	                         start, then the last pruned row's
//	  head_id, head_hash     the last row written
//	  sealed_at INTEGER      unix milliseconds the chain started
//	  sealed_rows INTEGER    rows from before version 7, chained as they stood then
//
// Rows written before version 7 are chained, as they stand, the first time
// a station opens the upgraded file: the chain shows edits made after that,
// not before.
//
// Schema version 8 restricts a DCC signer to the DCC types its certificate
// allows:
//
//	issuer_keys gains
//	  dcc_types TEXT       the DCC types ("v", "t", "r", comma-separated, trust.JoinDCCTypes)
//	                       a DCC key may sign; '' = every type, as for every key stored
//	                       before version 8 until its bundle is imported or its
//	                       certificate added again
//
// Stations before schema version 2 created station_log themselves
// (CREATE TABLE IF NOT EXISTS) in a version-1 file, so migration 2 keeps
// IF NOT EXISTS for it.
//
// A bundle import (ImportBundle, bundle_import.go) deletes the bundle row, every issuer_keys
// row with source = 'bundle' and every revoked_credentials row, and inserts
// the new ones, all in one transaction. When a kid is present from both
// sources the bundle row is the one used: the authority's status, including
// revocation, governs.
var migrations = []string{
	// 0 → 1
	`
CREATE TABLE authority_anchors (
    kid         BLOB PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    public_key  BLOB NOT NULL,
    added_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE bundle (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    version     INTEGER NOT NULL CHECK (version > 0),
    issued      INTEGER NOT NULL,
    expires     INTEGER NOT NULL,
    anchor_kid  BLOB NOT NULL REFERENCES authority_anchors(kid),
    imported_at INTEGER NOT NULL,
    raw         BLOB NOT NULL
);

CREATE TABLE issuer_keys (
    kid          BLOB NOT NULL CHECK (length(kid) = 8),
    source       TEXT NOT NULL CHECK (source IN ('direct', 'bundle')),
    org_code     TEXT NOT NULL,
    org_name     TEXT NOT NULL,
    public_key   BLOB NOT NULL,
    certificate  BLOB,
    valid_from   INTEGER,
    valid_until  INTEGER,
    revoked      INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    revoked_from INTEGER,
    added_at     INTEGER NOT NULL,
    PRIMARY KEY (kid, source)
) WITHOUT ROWID;

CREATE TABLE revoked_credentials (
    cti BLOB PRIMARY KEY
) WITHOUT ROWID;
`,
	// 1 → 2
	`
CREATE TABLE trust_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO trust_changes (id, n) VALUES (1, 1);

CREATE TABLE IF NOT EXISTS station_log (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    credential_id TEXT NOT NULL DEFAULT '',
    issuer        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    policy        TEXT NOT NULL DEFAULT '',
    reason_codes  TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS station_log_at ON station_log(at);
`,
	// 2 → 3
	`
ALTER TABLE issuer_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'staff' CHECK (kind IN ('staff', 'dcc'));
ALTER TABLE issuer_keys ADD COLUMN country TEXT NOT NULL DEFAULT '';
UPDATE trust_changes SET n = n + 1 WHERE id = 1;
`,
	// 3 → 4: revocation reasons and times
	`
ALTER TABLE revoked_credentials ADD COLUMN reason INTEGER NOT NULL DEFAULT 0 CHECK (reason >= 0);
ALTER TABLE revoked_credentials ADD COLUMN revoked_from INTEGER;
UPDATE trust_changes SET n = n + 1 WHERE id = 1;
`,
	// 4 → 5: the decision record
	`
ALTER TABLE station_log ADD COLUMN decision  TEXT    NOT NULL DEFAULT '';
ALTER TABLE station_log ADD COLUMN action    TEXT    NOT NULL DEFAULT '' CHECK (action IN ('', 'accepted', 'refused'));
ALTER TABLE station_log ADD COLUMN action_by TEXT    NOT NULL DEFAULT '';
ALTER TABLE station_log ADD COLUMN action_at INTEGER NOT NULL DEFAULT 0;
`,
	// 5 → 6, signed freshness: the bundle's timestamp key, how long it alone
	// counts as confirmed and the hash of its file (which a statement
	// names), and the newest statement recorded; each issuer's contact;
	// the named policies the bundle carries.
	`
ALTER TABLE bundle ADD COLUMN timestamp_key BLOB;
ALTER TABLE bundle ADD COLUMN fresh_for INTEGER NOT NULL DEFAULT 0 CHECK (fresh_for >= 0);
ALTER TABLE bundle ADD COLUMN sha256 BLOB;
CREATE TABLE freshness (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    version       INTEGER NOT NULL CHECK (version > 0),
    bundle_sha256 BLOB NOT NULL CHECK (length(bundle_sha256) = 32),
    issued        INTEGER NOT NULL,
    expires       INTEGER NOT NULL,
    raw           BLOB NOT NULL,
    recorded_at   INTEGER NOT NULL
);
ALTER TABLE issuer_keys ADD COLUMN contact TEXT NOT NULL DEFAULT '';
CREATE TABLE bundle_policies (
    name TEXT PRIMARY KEY,
    json BLOB NOT NULL
) WITHOUT ROWID;
UPDATE trust_changes SET n = n + 1 WHERE id = 1;
`,
	// 6 → 7: the log as a hash chain; Accept and Refuse as rows of their own
	`
ALTER TABLE station_log ADD COLUMN trust_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE station_log ADD COLUMN policy_name TEXT NOT NULL DEFAULT '';
ALTER TABLE station_log ADD COLUMN ref INTEGER;
ALTER TABLE station_log ADD COLUMN prev_hash BLOB;
ALTER TABLE station_log ADD COLUMN row_hash BLOB;
CREATE UNIQUE INDEX station_log_ref ON station_log(ref) WHERE ref IS NOT NULL;
CREATE TABLE log_chain (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    anchor      BLOB NOT NULL,
    anchor_id   INTEGER NOT NULL,
    head_id     INTEGER NOT NULL,
    head_hash   BLOB NOT NULL,
    sealed_at   INTEGER NOT NULL,
    sealed_rows INTEGER NOT NULL
);
`,
	// 7 → 8: the DCC types a DCC signer key may sign
	`
ALTER TABLE issuer_keys ADD COLUMN dcc_types TEXT NOT NULL DEFAULT '';
UPDATE trust_changes SET n = n + 1 WHERE id = 1;
`,
}
