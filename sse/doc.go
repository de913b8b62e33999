// Package sse is terngate's encryption at rest: the format object bytes are
// stored in and the sealing of each object's key.
//
// Every encrypted object has its own random 256-bit object key. Its bytes
// are stored in DARE 2.0 (github.com/minio/sio): 64 KiB packages, each
// sealed with AES-256-GCM and numbered, so a range read decrypts only the
// packages it touches and a package moved, dropped or altered fails to
// open. The object key itself is stored sealed (AES-256-GCM) under a key
// encryption key derived from a secret the object's mode names (the
// customer's key for SSE-C) and from the object's bucket and key, so a
// sealed key copied onto another object does not open there. Under
// SSE-KMS (kms.go) the object key is instead a data key from a key
// management service, which keeps it sealed and binds it to the object
// through the encryption context.
package sse
