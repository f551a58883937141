/*
 * tls.c - the provider's own certificate for go-plugin's automatic mutual TLS.
 *
 * Terraform puts the certificate we announce into its RootCAs and verifies the server name
 * "localhost", so the certificate is self-signed, CA:TRUE, with SAN DNS:localhost. A fresh
 * P-256 key per launch costs well under a millisecond.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bluegreen/protocol.h"

static char *bio_to_string(BIO *bio)
{
    char *data = NULL, *out;
    long n = BIO_get_mem_data(bio, &data);

    if (n < 0)
        return NULL;
    out = malloc((size_t)n + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    return out;
}

static int add_ext(X509 *cert, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL)
        return 0;
    ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

static int set_serial(X509 *cert)
{
    unsigned char raw[16];
    BIGNUM *bn;
    int ok;

    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return 0;
    raw[0] &= 0x7f; /* positive */
    bn = BN_bin2bn(raw, sizeof(raw), NULL);
    ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
    BN_free(bn);
    return ok;
}

static X509 *make_cert(EVP_PKEY *key)
{
    X509 *cert = X509_new();
    X509_NAME *name;
    int ok;

    if (cert == NULL)
        return NULL;
    name = X509_get_subject_name(cert);
    ok = X509_set_version(cert, 2) && set_serial(cert) &&
         X509_gmtime_adj(X509_getm_notBefore(cert), -60) &&
         X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 24 * 3600) &&
         X509_set_pubkey(cert, key) &&
         X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                    (const unsigned char *)"spoonknife bluegreen", -1, -1, 0) &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost",
                                    -1, -1, 0) &&
         X509_set_issuer_name(cert, name) &&
         add_ext(cert, NID_basic_constraints, "critical,CA:TRUE") &&
         add_ext(cert, NID_key_usage, "critical,digitalSignature,keyEncipherment,keyCertSign") &&
         add_ext(cert, NID_ext_key_usage, "serverAuth,clientAuth") &&
         add_ext(cert, NID_subject_alt_name, "DNS:localhost") &&
         X509_sign(cert, key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* Base64 without padding and without newlines, as Go's RawStdEncoding expects. */
static char *der_b64(X509 *cert)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    char *out;
    size_t n;

    if (len <= 0)
        return NULL;
    out = malloc(4 * (((size_t)len + 2) / 3) + 1);
    if (out != NULL) {
        EVP_EncodeBlock((unsigned char *)out, der, len);
        n = strlen(out);
        while (n > 0 && out[n - 1] == '=')
            out[--n] = '\0';
    }
    OPENSSL_free(der);
    return out;
}

static int export_pem(struct bg_tls_identity *out, EVP_PKEY *key, X509 *cert)
{
    BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
    int ok = kb != NULL && cb != NULL &&
             PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) &&
             PEM_write_bio_X509(cb, cert);

    if (ok) {
        out->key_pem = bio_to_string(kb);
        out->cert_pem = bio_to_string(cb);
        out->cert_der_b64 = der_b64(cert);
        ok = out->key_pem != NULL && out->cert_pem != NULL && out->cert_der_b64 != NULL;
    }
    BIO_free(kb);
    BIO_free(cb);
    return ok;
}

int bg_tls_identity_new(struct bg_tls_identity *out, struct bg_error *err)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = NULL;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (key != NULL)
        cert = make_cert(key);
    if (cert == NULL || !export_pem(out, key, cert)) {
        bg_tls_identity_clear(out);
        rc = bg_error_set(err, BG_EIO, "cannot create the plugin's TLS certificate");
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

void bg_tls_identity_clear(struct bg_tls_identity *id)
{
    if (id == NULL)
        return;
    free(id->cert_pem);
    free(id->cert_der_b64);
    if (id->key_pem != NULL)
        OPENSSL_cleanse(id->key_pem, strlen(id->key_pem));
    free(id->key_pem);
    memset(id, 0, sizeof(*id));
}
