// AES-256-GCM over whole buffers and PBKDF2-HMAC-SHA256, through OpenSSL's libcrypto:
// what module Sealing builds sealed checkpoints, predictions and masking vaults on.
// libcrypto's GCM runs on AES-NI and carry-less multiplication, an order of magnitude
// faster here than a portable implementation on 100 MB checkpoints.
#ifndef LEXGRAPH_SEAL_H
#define LEXGRAPH_SEAL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Encrypts `length` bytes of `plain` into `cipher` (the same length; the buffers may be
/// the same) under the 32-byte `key` and 12-byte `nonce`, no associated data, and writes
/// the 16-byte tag. 0 on success, -1 when libcrypto fails.
int lgseal_encrypt(const unsigned char key[32], const unsigned char nonce[12],
                   const unsigned char *plain, size_t length, unsigned char *cipher, unsigned char tag[16]);

/// Decrypts `length` bytes of `cipher` into `plain` and checks `tag`. 0 when the tag
/// authenticates the bytes; -1 otherwise (then `plain` is zeroed: nothing unauthenticated
/// is handed back).
int lgseal_decrypt(const unsigned char key[32], const unsigned char nonce[12],
                   const unsigned char *cipher, size_t length, const unsigned char tag[16], unsigned char *plain);

/// `count` bytes from libcrypto's CSPRNG into `out`. 0 on success, -1 otherwise.
int lgseal_random(unsigned char *out, size_t count);

/// PBKDF2-HMAC-SHA256 (RFC 8018) of `password` with `salt`, `rounds` iterations, into
/// 32 bytes at `out`. 0 on success, -1 otherwise.
int lgseal_pbkdf2_sha256(const unsigned char *password, size_t passwordLength,
                         const unsigned char *salt, size_t saltLength, unsigned rounds, unsigned char out[32]);

#ifdef __cplusplus
}
#endif
#endif
