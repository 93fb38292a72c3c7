// Package migrations holds the versioned SQL schema of Frontdesk, one folder
// per database engine (postgres/, sqlite/), numbered for goose. A file that
// has shipped is never edited: every change is a new, higher-numbered file in
// both folders.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql. Use fs.Sub(FS, "postgres") or
// fs.Sub(FS, "sqlite") to hand one engine's files to goose.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
