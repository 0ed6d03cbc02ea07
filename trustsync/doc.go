// Package trustsync keeps a site's trust list current without trusting the
// way it arrives. An authority publishes a signed bundle and a small JSON
// index beside it (Publish) on any static web server or shared folder; a
// site fetches the index, then the bundle it names, checks the bundle's
// SHA-256 against the index, and imports it through sitedb.DB.ImportBundle:
// the same function, and so exactly the same rules (pinned authority,
// signature, rollback, expiry, one transaction), as `passport trust import`.
//
// The transport is untrusted: plain HTTP or a file share is fine because
// the bundle is signed. Every fetch is bounded (connect, header and overall
// timeouts, a size cap, redirects only to http or https) and conditional
// (ETag / If-Modified-Since on the index). A source that cannot be reached
// changes nothing: verification never needs the network, and the list in
// force stays in force until it expires.
//
// Only `passport trust sync` and `passport serve --sync` use this package:
// they are the project's only network clients, and both are explicit opt-ins.
package trustsync
