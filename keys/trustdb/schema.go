package trustdb

// SchemaVersion is the trust store schema this package reads and writes,
// kept in PRAGMA user_version. A file with a newer version is refused.
const SchemaVersion = 1

// applicationID marks a SQLite file as a passport trust store
// (PRAGMA application_id, "PSPT" in ASCII), so Open can refuse other databases.
const applicationID = 0x50535054

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
// A bundle import (ImportBundle, bundle.go) deletes the bundle row, every issuer_keys
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

PRAGMA application_id = 1347637332;
`,
}
