// Package layers holds no code: its tests pin the project's package layering
// (docs/architecture.md). TestImportTable fails on any import between
// project packages that the table does not allow, and on any new package
// not in it; TestVerifySideDeps fails if the verify side, or the code behind
// `passport serve` and `passport verify`, ever links private-key or
// issuing code again.
//
// Import rules: none (tests only run the go command).
package layers
