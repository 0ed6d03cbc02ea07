package sitedb

import (
	"database/sql"
	"time"

	"passport/trust"
)

// TimeFloor is the newest time this site has seen pass (trust.TimeFloor):
// the latest of the bundle's issue time, the recorded freshness statement's
// issue time and the newest logged verification. A verifier that runs on
// the system clock compares the clock with it (trust.CheckClock) and does
// not decide when the clock is behind: a station whose clock was set back,
// or whose CMOS battery died, would otherwise accept expired passports.
func (db *DB) TimeFloor() (trust.TimeFloor, error) {
	var f trust.TimeFloor
	var bundleIssued, stmtIssued, logAt sql.NullInt64
	err := db.sql.QueryRow(`SELECT (SELECT issued FROM bundle WHERE id = 1),
		(SELECT issued FROM freshness WHERE id = 1),
		(SELECT max(at) FROM station_log)`).Scan(&bundleIssued, &stmtIssued, &logAt)
	if err != nil {
		return f, db.sql.Wrap("reading", err)
	}
	consider := func(v sql.NullInt64, at func(int64) time.Time, source string) {
		if v.Valid {
			if t := at(v.Int64); t.After(f.At) {
				f = trust.TimeFloor{At: t, Source: source}
			}
		}
	}
	seconds := func(n int64) time.Time { return time.Unix(n, 0).UTC() }
	consider(bundleIssued, seconds, "the trust list in force was issued")
	consider(stmtIssued, seconds, "its latest freshness statement was issued")
	consider(logAt, func(n int64) time.Time { return time.UnixMilli(n).UTC() }, "the last check was logged")
	return f, nil
}
