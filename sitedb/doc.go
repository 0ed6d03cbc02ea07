// Package sitedb is the only owner of a verifying site's SQLite file (the
// --db of `passport verify`, `serve` and `trust`): the trust tables (issuer
// keys trusted directly or from signed bundles, pinned authority keys,
// revoked credential ids) and the station's verification log, created by one
// migration list (schema.go) and opened one way (internal/sqlitedb).
//
// DB implements trust.TrustStore with caches that survive log writes: a
// commit that changes trust tables bumps trust_changes.n in the same
// transaction, and only that reloads the caches (see DB.refresh).
//
// Import rules: sitedb imports trust and internal/sqlitedb among the
// project's packages, never verify, policy, station, keys or issue. Callers
// get a trust.TrustStore (DB) and a Log from it; no other package opens the
// file.
package sitedb
