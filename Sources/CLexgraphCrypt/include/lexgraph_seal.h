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

/// Chunked sealing (`LXSEAL02`, see module Sealing's `ChunkedSeal`): chunk `i` of a
/// `length`-byte plaintext cut into `total` chunks of `chunkSize` bytes (the last one
/// shorter, or empty when the plaintext is) is encrypted under `baseNonce` with its last
/// four bytes XORed with `i` (big-endian), with associated data `header` + `i` (4 bytes,
/// big-endian) + 1 for the last chunk or 0, and written at `out + i * (chunkSize + 16)`
/// followed by its tag. Encrypts chunks `first ..< first + count` with one cipher context,
/// so callers split the chunks between threads. 0 on success, -1 when libcrypto fails.
int lgseal_encrypt_chunks(const unsigned char key[32], const unsigned char *header, size_t headerLength,
                          const unsigned char baseNonce[12], const unsigned char *plain, size_t length,
                          size_t chunkSize, size_t total, size_t first, size_t count, unsigned char *out);

/// The inverse of `lgseal_encrypt_chunks` over chunks `first ..< first + count` of the
/// sealed body `sealed` (chunks and tags), writing plaintext chunk `i` at
/// `plain + i * chunkSize`. 0 when every tag authenticates its chunk; -1 otherwise (then
/// those chunks' plaintext is zeroed).
int lgseal_decrypt_chunks(const unsigned char key[32], const unsigned char *header, size_t headerLength,
                          const unsigned char baseNonce[12], const unsigned char *sealed, size_t length,
                          size_t chunkSize, size_t total, size_t first, size_t count, unsigned char *plain);

/// One thread's cipher context for single-chunk calls (`lgseal_encrypt_chunk`,
/// `lgseal_decrypt_chunk`), reused across its chunks; NULL when libcrypto fails.
typedef struct lgseal_context lgseal_context;
lgseal_context *lgseal_context_new(void);
void lgseal_context_free(lgseal_context *context);

/// Chunk `index` of `total` alone, as `lgseal_encrypt_chunks` seals it: its `length`
/// plaintext bytes at `plain` become `length` bytes of ciphertext at `out`, then the tag.
/// For writers that stream chunks through a buffer of their own. 0 on success, -1 otherwise.
int lgseal_encrypt_chunk(lgseal_context *context, const unsigned char key[32], const unsigned char *header, size_t headerLength,
                         const unsigned char baseNonce[12], size_t index, size_t total,
                         const unsigned char *plain, size_t length, unsigned char *out);

/// The inverse: `length` ciphertext bytes at `sealed` followed by the tag, into `plain`,
/// which may be any caller's storage (a tensor's own memory). 0 when the tag
/// authenticates the chunk; -1 otherwise (then `plain` is zeroed).
int lgseal_decrypt_chunk(lgseal_context *context, const unsigned char key[32], const unsigned char *header, size_t headerLength,
                         const unsigned char baseNonce[12], size_t index, size_t total,
                         const unsigned char *sealed, size_t length, unsigned char *plain);

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
