// AES-256-GCM (whole buffers and STREAM chunks) and PBKDF2 for module Sealing (see lexgraph_seal.h).
#include "lexgraph_seal.h"

#include <limits.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

// EVP_*Update take an int length: longer buffers go through in chunks of this size.
#define CHUNK ((size_t)1 << 30)

int lgseal_encrypt(const unsigned char key[32], const unsigned char nonce[12],
                   const unsigned char *plain, size_t length, unsigned char *cipher, unsigned char tag[16]) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return -1;
    int ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1
        && EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1;
    size_t done = 0;
    while (ok && done < length) {
        size_t step = length - done < CHUNK ? length - done : CHUNK;
        int n = 0;
        ok = EVP_EncryptUpdate(ctx, cipher + done, &n, plain + done, (int)step) == 1 && (size_t)n == step;
        done += step;
    }
    int n = 0;
    ok = ok && EVP_EncryptFinal_ex(ctx, cipher + done, &n) == 1 && n == 0
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : -1;
}

int lgseal_decrypt(const unsigned char key[32], const unsigned char nonce[12],
                   const unsigned char *cipher, size_t length, const unsigned char tag[16], unsigned char *plain) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return -1;
    unsigned char expected[16];
    memcpy(expected, tag, 16);
    int ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1
        && EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) == 1;
    size_t done = 0;
    while (ok && done < length) {
        size_t step = length - done < CHUNK ? length - done : CHUNK;
        int n = 0;
        ok = EVP_DecryptUpdate(ctx, plain + done, &n, cipher + done, (int)step) == 1 && (size_t)n == step;
        done += step;
    }
    int n = 0;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, expected) == 1
        && EVP_DecryptFinal_ex(ctx, plain + done, &n) == 1 && n == 0;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok && length > 0) memset(plain, 0, length);
    return ok ? 0 : -1;
}

// The associated data of chunk `index`: the file header, the index and the last-chunk
// flag, so chunks cannot be moved, dropped from the end or moved between files unnoticed.
#define MAX_HEADER 64

static int chunk_setup(EVP_CIPHER_CTX *ctx, int encrypt, const unsigned char key[32], const unsigned char *header,
                       size_t headerLength, const unsigned char baseNonce[12], size_t index, size_t total) {
    unsigned char nonce[12], aad[MAX_HEADER + 5];
    memcpy(nonce, baseNonce, 12);
    nonce[8] ^= (unsigned char)(index >> 24); nonce[9] ^= (unsigned char)(index >> 16);
    nonce[10] ^= (unsigned char)(index >> 8); nonce[11] ^= (unsigned char)index;
    memcpy(aad, header, headerLength);
    aad[headerLength] = (unsigned char)(index >> 24); aad[headerLength + 1] = (unsigned char)(index >> 16);
    aad[headerLength + 2] = (unsigned char)(index >> 8); aad[headerLength + 3] = (unsigned char)index;
    aad[headerLength + 4] = index + 1 == total ? 1 : 0;
    int n = 0;
    if (encrypt)
        return EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1
            && EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)(headerLength + 5)) == 1;
    return EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) == 1
        && EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)(headerLength + 5)) == 1;
}

static int chunks_valid(size_t headerLength, size_t length, size_t chunkSize, size_t total, size_t first, size_t count) {
    if (headerLength > MAX_HEADER || chunkSize == 0 || chunkSize > (size_t)INT_MAX || total == 0 || total > 0xffffffffu) return 0;
    if (first > total || count > total - first) return 0;
    // `total` chunks of `chunkSize` hold `length`, the last one partly (or, alone, empty).
    return length <= total * chunkSize && (total == 1 || length > (total - 1) * chunkSize);
}

lgseal_context *lgseal_context_new(void) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return NULL;
    // 12 bytes is GCM's default IV length; set anyway so a chunk's nonce never depends on it.
    if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return (lgseal_context *)ctx;
}

void lgseal_context_free(lgseal_context *context) { EVP_CIPHER_CTX_free((EVP_CIPHER_CTX *)context); }

static int chunk_valid(size_t headerLength, size_t index, size_t total, size_t length) {
    return headerLength <= MAX_HEADER && total > 0 && total <= 0xffffffffu && index < total && length <= (size_t)INT_MAX;
}

int lgseal_encrypt_chunk(lgseal_context *context, const unsigned char key[32], const unsigned char *header, size_t headerLength,
                         const unsigned char baseNonce[12], size_t index, size_t total,
                         const unsigned char *plain, size_t length, unsigned char *out) {
    EVP_CIPHER_CTX *ctx = (EVP_CIPHER_CTX *)context;
    if (ctx == NULL || !chunk_valid(headerLength, index, total, length)) return -1;
    int n = 0, tail = 0;
    return chunk_setup(ctx, 1, key, header, headerLength, baseNonce, index, total)
        && EVP_EncryptUpdate(ctx, out, &n, plain, (int)length) == 1 && (size_t)n == length
        && EVP_EncryptFinal_ex(ctx, out + length, &tail) == 1 && tail == 0
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out + length) == 1 ? 0 : -1;
}

int lgseal_decrypt_chunk(lgseal_context *context, const unsigned char key[32], const unsigned char *header, size_t headerLength,
                         const unsigned char baseNonce[12], size_t index, size_t total,
                         const unsigned char *sealed, size_t length, unsigned char *plain) {
    EVP_CIPHER_CTX *ctx = (EVP_CIPHER_CTX *)context;
    if (ctx == NULL || !chunk_valid(headerLength, index, total, length)) return -1;
    unsigned char tag[16];
    memcpy(tag, sealed + length, 16);
    int n = 0, tail = 0;
    int ok = chunk_setup(ctx, 0, key, header, headerLength, baseNonce, index, total)
        && EVP_DecryptUpdate(ctx, plain, &n, sealed, (int)length) == 1 && (size_t)n == length
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1
        && EVP_DecryptFinal_ex(ctx, plain + length, &tail) == 1 && tail == 0;
    if (!ok && length > 0) memset(plain, 0, length);
    return ok ? 0 : -1;
}

/* Chunks first..<first+count of one body, one direction, one cipher context: `in` and
   `out` are the plain body and the sealed chunks (each followed by its tag) in the
   order of `encrypt`. A failed decryption leaves the run's plaintext zeroed, so no
   unauthenticated byte reaches the caller. */
static int run_chunks(int encrypt, const unsigned char key[32], const unsigned char *header, size_t headerLength,
                      const unsigned char baseNonce[12], const unsigned char *in, size_t length,
                      size_t chunkSize, size_t total, size_t first, size_t count, unsigned char *out) {
    if (!chunks_valid(headerLength, length, chunkSize, total, first, count)) return -1;
    lgseal_context *ctx = lgseal_context_new();
    if (ctx == NULL) return -1;
    int ok = 1;
    for (size_t i = first; ok && i < first + count; i++) {
        size_t at = i * chunkSize, sealedAt = i * (chunkSize + 16), step = i + 1 == total ? length - at : chunkSize;
        ok = (encrypt ? lgseal_encrypt_chunk(ctx, key, header, headerLength, baseNonce, i, total, in + at, step, out + sealedAt)
                      : lgseal_decrypt_chunk(ctx, key, header, headerLength, baseNonce, i, total, in + sealedAt, step, out + at)) == 0;
    }
    lgseal_context_free(ctx);
    if (!ok && !encrypt) {
        size_t from = first * chunkSize, to = first + count == total ? length : (first + count) * chunkSize;
        if (to > from) memset(out + from, 0, to - from);
    }
    return ok ? 0 : -1;
}

int lgseal_encrypt_chunks(const unsigned char key[32], const unsigned char *header, size_t headerLength,
                          const unsigned char baseNonce[12], const unsigned char *plain, size_t length,
                          size_t chunkSize, size_t total, size_t first, size_t count, unsigned char *out) {
    return run_chunks(1, key, header, headerLength, baseNonce, plain, length, chunkSize, total, first, count, out);
}

int lgseal_decrypt_chunks(const unsigned char key[32], const unsigned char *header, size_t headerLength,
                          const unsigned char baseNonce[12], const unsigned char *sealed, size_t length,
                          size_t chunkSize, size_t total, size_t first, size_t count, unsigned char *plain) {
    return run_chunks(0, key, header, headerLength, baseNonce, sealed, length, chunkSize, total, first, count, plain);
}

int lgseal_random(unsigned char *out, size_t count) {
    while (count > 0) {
        int step = count < (size_t)INT_MAX ? (int)count : INT_MAX;
        if (RAND_bytes(out, step) != 1) return -1;
        out += step;
        count -= (size_t)step;
    }
    return 0;
}

int lgseal_pbkdf2_sha256(const unsigned char *password, size_t passwordLength,
                         const unsigned char *salt, size_t saltLength, unsigned rounds, unsigned char out[32]) {
    if (passwordLength > INT_MAX || saltLength > INT_MAX || rounds == 0 || rounds > INT_MAX) return -1;
    return PKCS5_PBKDF2_HMAC((const char *)password, (int)passwordLength, salt, (int)saltLength, (int)rounds,
                             EVP_sha256(), 32, out) == 1 ? 0 : -1;
}
