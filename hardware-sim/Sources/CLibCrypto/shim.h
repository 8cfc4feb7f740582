#ifndef CUNTONG_CLIBCRYPTO_SHIM_H
#define CUNTONG_CLIBCRYPTO_SHIM_H
// OpenSSL's libcrypto for the simulators' card cryptography (SM4 per GB/T 32907, 3DES):
// one ECB encryption without padding, by cipher name ("SM4-ECB", "DES-EDE-ECB", …).
#include <openssl/evp.h>

static inline int cuntong_ecb_encrypt(const char *name, const unsigned char *key,
                                      const unsigned char *in, int length, unsigned char *out) {
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, name, NULL);
    if (cipher == NULL) return -1;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int written = 0, final = 0;
    int ok = ctx != NULL
        && EVP_EncryptInit_ex2(ctx, cipher, key, NULL, NULL)
        && EVP_CIPHER_CTX_set_padding(ctx, 0)
        && EVP_EncryptUpdate(ctx, out, &written, in, length)
        && EVP_EncryptFinal_ex(ctx, out + written, &final);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
    return ok ? written + final : -1;
}
#endif
