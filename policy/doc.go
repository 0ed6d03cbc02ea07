// Package policy is a site's acceptance policy: which employment checks and
// training subjects a genuine staff passport must show, and how recent they
// must be. A policy is read from a JSON file (Load, Parse; see
// fixtures/site-policy.json) and evaluated, offline and without side
// effects, on the verifier's verdict and the credential's typed claims
// (credential.Claims, verify.Result.Parsed), never on the JSON view's
// display strings.
//
// Its outcome (met, expiring_soon, not_met, not_evaluated) is reported beside
// the verifier's verdict (Verdict), never mixed into it: a passport can be
// genuine and still not meet a site's policy. `passport verify --policy`,
// `passport serve --policy` and their JSON output all go through Apply.
//
// To add a rule kind, add a field to Policy (or CheckRule/TrainingRule),
// validate it in Policy.validate, apply it in Evaluate, and describe it in
// Describe; docs/architecture.md lists the steps.
//
// Import rules: policy imports credential and verify among the project's
// packages, nothing else (no station, sitedb, keys or issue).
package policy
