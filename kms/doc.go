// Package kms is where SSE-KMS gets its data keys: a Provider draws a fresh
// 256-bit data key under a named master key (GenerateDataKey) and later
// opens its sealed copy again (Decrypt), both bound to an encryption
// context, as the AWS KMS API does.
//
// Two providers: Ring, a static key ring the gateway holds itself (the
// embedded default), and Remote, any server speaking the AWS KMS API (AWS
// KMS itself, or a compatible one such as local-kms).
package kms
