// Package dirlock is the exclusive lock on a data directory that one
// terngate process holds while it uses it: an flock on <dir>/LOCK that
// records the holder's pid, so a second process is told at once who has it.
//
// flock locks belong to an open file description and go with the process
// that dies, so a crash never leaves a stale lock behind; the pid written
// in the file is only there to name the holder in the error.
package dirlock
