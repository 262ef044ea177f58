// Whole-buffer AES-256-GCM and PBKDF2 for module Sealing (see lexgraph_seal.h).
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
