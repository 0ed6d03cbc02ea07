//go:build !race

package sitedb

const raceEnabled = false
