/*
 * tls.c - the provider's own certificate for go-plugin's automatic mutual TLS.
 *
 * Terraform puts the certificate we announce into its RootCAs and verifies the server name
 * "localhost", so the certificate is self-signed, CA:TRUE, with SAN DNS:localhost. A fresh
 * P-256 key is generated at every launch.
 *
 * Terraform launches the provider 3-4 times per command, so this is on every user's critical
 * path. OpenSSL 3 builds a certificate through its generic X509, CONF and encoder machinery,
 * whose first use per process costs over a millisecond; the certificate and the key are
 * therefore written directly as DER from a fixed layout (every field but the serial, the
 * validity, the public key and the signature is constant) and only key generation and the
 * ECDSA signature go through OpenSSL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "bluegreen/protocol.h"

#define MAX_DER 1024

/* A DER buffer: fixed size, every certificate part is far smaller. */
struct der {
    unsigned char b[MAX_DER];
    size_t n;
    bool overflow;
};

static void put(struct der *d, const void *p, size_t n)
{
    if (d->overflow || n > sizeof(d->b) - d->n) {
        d->overflow = true;
        return;
    }
    memcpy(d->b + d->n, p, n);
    d->n += n;
}

/* Tag and definite length (short form below 128, else one or two length bytes). */
static void put_header(struct der *d, unsigned char tag, size_t len)
{
    unsigned char h[4] = {tag};
    size_t n = 2;

    if (len < 0x80) {
        h[1] = (unsigned char)len;
    } else if (len < 0x100) {
        h[1] = 0x81;
        h[2] = (unsigned char)len;
        n = 3;
    } else {
        h[1] = 0x82;
        h[2] = (unsigned char)(len >> 8);
        h[3] = (unsigned char)len;
        n = 4;
    }
    put(d, h, n);
}

/* tag { content } */
static void put_wrapped(struct der *d, unsigned char tag, const struct der *content)
{
    put_header(d, tag, content->n);
    put(d, content->b, content->n);
    d->overflow |= content->overflow;
}

/* AlgorithmIdentifier ecdsa-with-SHA256 (1.2.840.10045.4.3.2), no parameters. */
static const unsigned char ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                             0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};

/* Name: O=spoonknife bluegreen, CN=localhost (issuer = subject). */
static const unsigned char name[] = {
    0x30, 0x33, 0x31, 0x1d, 0x30, 0x1b, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x14, 's',
    'p',  'o',  'o',  'n',  'k',  'n',  'i',  'f',  'e',  ' ',  'b',  'l',  'u',  'e',
    'g',  'r',  'e',  'e',  'n',  0x31, 0x12, 0x30, 0x10, 0x06, 0x03, 0x55, 0x04, 0x03,
    0x0c, 0x09, 'l',  'o',  'c',  'a',  'l',  'h',  'o',  's',  't'};

/* SubjectPublicKeyInfo up to the point: id-ecPublicKey, prime256v1, BIT STRING 04... */
static const unsigned char spki_prefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                            0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                            0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};

/* [3] Extensions: basicConstraints critical CA:TRUE; keyUsage critical digitalSignature,
 * keyEncipherment, keyCertSign; extKeyUsage serverAuth, clientAuth; SAN DNS:localhost. */
static const unsigned char extensions[] = {
    0xa3, 0x58, 0x30, 0x56, 0x30, 0x0f, 0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff, 0x04,
    0x05, 0x30, 0x03, 0x01, 0x01, 0xff, 0x30, 0x0e, 0x06, 0x03, 0x55, 0x1d, 0x0f, 0x01, 0x01,
    0xff, 0x04, 0x04, 0x03, 0x02, 0x02, 0xa4, 0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d, 0x25, 0x04,
    0x16, 0x30, 0x14, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01, 0x06, 0x08,
    0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02, 0x30, 0x14, 0x06, 0x03, 0x55, 0x1d, 0x11,
    0x04, 0x0d, 0x30, 0x0b, 0x82, 0x09, 'l',  'o',  'c',  'a',  'l',  'h',  'o',  's',  't'};

/* UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5). */
static void put_time(struct der *d, time_t t)
{
    struct tm tm;
    char s[20];
    size_t n;

    gmtime_r(&t, &tm);
    if (tm.tm_year + 1900 < 2050)
        n = strftime(s, sizeof(s), "%y%m%d%H%M%SZ", &tm);
    else
        n = strftime(s, sizeof(s), "%Y%m%d%H%M%SZ", &tm);
    put_header(d, n == 13 ? 0x17 : 0x18, n);
    put(d, s, n);
}

/* version v3, a random positive serial, validity one minute ago to ten years on. */
static int put_tbs(struct der *out, const unsigned char point[65])
{
    static const unsigned char v3[] = {0xa0, 0x03, 0x02, 0x01, 0x02};
    unsigned char serial[16];
    struct der tbs = {.n = 0}, validity = {.n = 0};
    time_t now = time(NULL);

    if (RAND_bytes(serial, sizeof(serial)) != 1)
        return 0;
    serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40); /* positive, minimal encoding */
    put(&tbs, v3, sizeof(v3));
    put_header(&tbs, 0x02, sizeof(serial));
    put(&tbs, serial, sizeof(serial));
    put(&tbs, ecdsa_sha256, sizeof(ecdsa_sha256));
    put(&tbs, name, sizeof(name));
    put_time(&validity, now - 60);
    put_time(&validity, now + 10L * 365 * 24 * 3600);
    put_wrapped(&tbs, 0x30, &validity);
    put(&tbs, name, sizeof(name));
    put(&tbs, spki_prefix, sizeof(spki_prefix));
    put(&tbs, point, 65);
    put(&tbs, extensions, sizeof(extensions));
    put_wrapped(out, 0x30, &tbs);
    return !out->overflow;
}

/* ECDSA-SHA256 of data under key, DER Ecdsa-Sig-Value into sig (at most 80 bytes). */
static int sign(unsigned char *sig, size_t *sig_len, EVP_PKEY *key, const struct der *data)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok;

    *sig_len = 80;
    ok = md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
         EVP_DigestSign(md, sig, sig_len, data->b, data->n) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

/* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } */
static int make_cert(struct der *out, EVP_PKEY *key, const unsigned char point[65])
{
    struct der tbs = {.n = 0}, cert = {.n = 0};
    unsigned char sig[80];
    size_t sig_len;

    if (!put_tbs(&tbs, point) || !sign(sig, &sig_len, key, &tbs))
        return 0;
    put(&cert, tbs.b, tbs.n);
    put(&cert, ecdsa_sha256, sizeof(ecdsa_sha256));
    put_header(&cert, 0x03, sig_len + 1);
    put(&cert, "\0", 1); /* no unused bits */
    put(&cert, sig, sig_len);
    put_wrapped(out, 0x30, &cert);
    return !out->overflow;
}

/* SEC1 ECPrivateKey { 1, privateKey, [0] prime256v1, [1] publicKey } ("EC PRIVATE KEY"). */
static void make_key(struct der *out, const unsigned char priv[32], const unsigned char point[65])
{
    static const unsigned char curve[] = {0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                          0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    static const unsigned char pub_prefix[] = {0xa1, 0x44, 0x03, 0x42, 0x00};
    struct der k = {.n = 0};

    put(&k, "\x02\x01\x01\x04\x20", 5);
    put(&k, priv, 32);
    put(&k, curve, sizeof(curve));
    put(&k, pub_prefix, sizeof(pub_prefix));
    put(&k, point, 65);
    put_wrapped(out, 0x30, &k);
    OPENSSL_cleanse(&k, sizeof(k));
}

/* Base64 (standard alphabet) of der: PEM lines of 64 characters when label is set, else one
 * line without padding, as Go's RawStdEncoding expects for the handshake. */
static char *b64(const struct der *d, const char *label)
{
    size_t cap = 4 * (d->n / 3 + 1) + d->n / 48 + 100, n = 0, i;
    char *out = malloc(cap);

    if (out == NULL)
        return NULL;
    if (label != NULL)
        n += (size_t)snprintf(out, cap, "-----BEGIN %s-----\n", label);
    for (i = 0; i < d->n; i += 48) {
        size_t chunk = d->n - i < 48 ? d->n - i : 48;

        n += (size_t)EVP_EncodeBlock((unsigned char *)out + n, d->b + i, (int)chunk);
        if (label != NULL)
            out[n++] = '\n';
    }
    if (label == NULL) {
        /* one line: the 48-byte chunks end on whole groups, only the last may be padded */
        while (n > 0 && out[n - 1] == '=')
            n--;
        out[n] = '\0';
        return out;
    }
    snprintf(out + n, cap - n, "-----END %s-----\n", label);
    return out;
}

/* The private scalar (32 bytes, big endian) and the uncompressed public point (65 bytes). */
static int raw_key(unsigned char priv[32], unsigned char point[65], const EVP_PKEY *key)
{
    BIGNUM *d = NULL;
    size_t len = 0;
    int ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 &&
             BN_bn2binpad(d, priv, 32) == 32 &&
             EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, 65,
                                             &len) == 1 &&
             len == 65 && point[0] == 0x04;

    BN_clear_free(d);
    return ok;
}

static int build(struct bg_tls_identity *out, EVP_PKEY *key)
{
    unsigned char priv[32], point[65];
    struct der cert = {.n = 0}, k = {.n = 0};
    int ok = raw_key(priv, point, key) && make_cert(&cert, key, point);

    if (ok) {
        make_key(&k, priv, point);
        out->cert_pem = b64(&cert, "CERTIFICATE");
        out->cert_der_b64 = b64(&cert, NULL);
        out->key_pem = b64(&k, "EC PRIVATE KEY");
        ok = !k.overflow && out->cert_pem != NULL && out->cert_der_b64 != NULL &&
             out->key_pem != NULL;
    }
    OPENSSL_cleanse(priv, sizeof(priv));
    OPENSSL_cleanse(&k, sizeof(k));
    return ok;
}

int bg_tls_identity_new(struct bg_tls_identity *out, struct bg_error *err)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (key == NULL || !build(out, key)) {
        bg_tls_identity_clear(out);
        rc = bg_error_set(err, BG_EIO, "cannot create the plugin's TLS certificate");
    }
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
