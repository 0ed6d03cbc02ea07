// Package sitedb is the only owner of a verifying site's SQLite file (the
// --db of `passport verify`, `serve` and `trust`): the trust tables (issuer
// keys trusted directly or from signed bundles, pinned authority keys,
// revoked credential ids) and the station's verification log, created by one
// migration list (schema.go) and opened one way (internal/sqlitedb).
//
// DB implements trust.TrustStore from an immutable in-memory view of the
// trust tables (keys, revoked ids, list info) read in one transaction per
// trust generation: a commit that changes trust tables bumps
// trust_changes.n in the same transaction, and only that loads a new view
// (see DB.latest), so log writes keep it. A Snapshot is that view, taken
// after checking the file's change counter.
//
// Import rules: sitedb imports trust and internal/sqlitedb among the
// project's packages, never verify, policy, station, keys or issue. Callers
// get a trust.TrustStore (DB) and a Log from it; no other package opens the
// file.
package sitedb
