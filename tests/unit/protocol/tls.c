/* tls.c - the provider's self-signed certificate, checked with OpenSSL as a client would. */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bluegreen/protocol.h"

static struct bg_tls_identity id;
static X509 *cert;
static EVP_PKEY *key;

static void setup(void)
{
    struct bg_error err = BG_ERROR_INIT;
    BIO *cb, *kb;

    cr_assert_eq(bg_tls_identity_new(&id, &err), 0, "%s", err.msg);
    cb = BIO_new_mem_buf(id.cert_pem, -1);
    kb = BIO_new_mem_buf(id.key_pem, -1);
    cert = PEM_read_bio_X509(cb, NULL, NULL, NULL);
    key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
    BIO_free(cb);
    BIO_free(kb);
    cr_assert_not_null(cert, "cert_pem parses");
    cr_assert_not_null(key, "key_pem parses");
}

static void teardown(void)
{
    X509_free(cert);
    EVP_PKEY_free(key);
    bg_tls_identity_clear(&id);
}

TestSuite(protocol_tls, .init = setup, .fini = teardown);

Test(protocol_tls, names_localhost_in_the_subject_alternative_name)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    const GENERAL_NAME *gn;

    cr_assert_not_null(names);
    cr_assert_eq(sk_GENERAL_NAME_num(names), 1);
    gn = sk_GENERAL_NAME_value(names, 0);
    cr_assert_eq(gn->type, GEN_DNS);
    cr_assert_str_eq((const char *)ASN1_STRING_get0_data(gn->d.dNSName), "localhost");
    cr_assert_eq(X509_check_host(cert, "localhost", 0, 0, NULL), 1);
    GENERAL_NAMES_free(names);
}

Test(protocol_tls, is_a_ca_for_server_auth)
{
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(cert, NID_basic_constraints, NULL, NULL);

    cr_assert_not_null(bc);
    cr_assert(bc->ca, "CA:TRUE: terraform puts it in its RootCAs");
    BASIC_CONSTRAINTS_free(bc);
    cr_assert(X509_get_extension_flags(cert) & EXFLAG_CA);
    cr_assert(X509_get_extended_key_usage(cert) & XKU_SSL_SERVER, "EKU serverAuth");
    cr_assert(X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE);
}

Test(protocol_tls, is_valid_now_and_self_signed)
{
    EVP_PKEY *pub = X509_get0_pubkey(cert);

    cr_assert_lt(X509_cmp_current_time(X509_get0_notBefore(cert)), 0, "not before is past");
    cr_assert_gt(X509_cmp_current_time(X509_get0_notAfter(cert)), 0, "not after is future");
    cr_assert_eq(X509_check_issued(cert, cert), X509_V_OK);
    cr_assert_eq(X509_verify(cert, pub), 1, "signed by its own key");
}

Test(protocol_tls, uses_a_p256_key_matching_key_pem)
{
    char group[64];
    size_t len = 0;

    cr_assert(EVP_PKEY_is_a(key, "EC"));
    cr_assert_eq(EVP_PKEY_get_group_name(key, group, sizeof(group), &len), 1);
    cr_assert_str_eq(group, "prime256v1");
    cr_assert_eq(X509_check_private_key(cert, key), 1);
    cr_assert_eq(EVP_PKEY_eq(X509_get0_pubkey(cert), key), 1);
}

Test(protocol_tls, der_base64_is_raw_std_encoding_of_the_certificate)
{
    unsigned char *der = NULL, *decoded;
    int der_len = i2d_X509(cert, &der), n;
    size_t b64_len = strlen(id.cert_der_b64), pad = (4 - b64_len % 4) % 4;
    char *padded = malloc(b64_len + pad + 1);

    cr_assert_gt(der_len, 0);
    cr_assert_null(strchr(id.cert_der_b64, '='), "no padding");
    cr_assert_null(strchr(id.cert_der_b64, '\n'), "no line breaks");
    cr_assert_neq(b64_len % 4, 1, "a length no base64 encoding can have");
    memcpy(padded, id.cert_der_b64, b64_len);
    memset(padded + b64_len, '=', pad);
    padded[b64_len + pad] = '\0';
    decoded = malloc(b64_len + pad);
    n = EVP_DecodeBlock(decoded, (const unsigned char *)padded, (int)(b64_len + pad));
    /* EVP_DecodeBlock counts the zero bytes the padding stands for. */
    cr_assert_eq(n - (int)pad, der_len);
    cr_assert_eq(memcmp(decoded, der, (size_t)der_len), 0);
    free(decoded);
    free(padded);
    OPENSSL_free(der);
}

Test(protocol_tls, each_identity_has_its_own_key)
{
    struct bg_tls_identity other;
    struct bg_error err = BG_ERROR_INIT;

    cr_assert_eq(bg_tls_identity_new(&other, &err), 0, "%s", err.msg);
    cr_assert_str_neq(other.key_pem, id.key_pem);
    cr_assert_str_neq(other.cert_der_b64, id.cert_der_b64);
    bg_tls_identity_clear(&other);
    cr_assert_null(other.cert_pem);
    cr_assert_null(other.key_pem);
    cr_assert_null(other.cert_der_b64);
    bg_tls_identity_clear(NULL);
}

Test(protocol_tls, carries_the_usages_names_and_validity_terraform_and_grpc_rely_on)
{
    const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
    X509_NAME *subject = X509_get_subject_name(cert);
    int days = 0, secs = 0, crit = -1;
    char cn[64], org[64];
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(cert, NID_basic_constraints, &crit, NULL);

    cr_assert_eq(crit, 1, "basicConstraints is critical");
    BASIC_CONSTRAINTS_free(bc);
    cr_assert(X509_get_key_usage(cert) & KU_KEY_CERT_SIGN);
    cr_assert(X509_get_key_usage(cert) & KU_KEY_ENCIPHERMENT);
    cr_assert(X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT, "EKU clientAuth");
    cr_assert_eq(X509_get_version(cert), 2, "v3");
    cr_assert_eq(ASN1_STRING_type(serial), V_ASN1_INTEGER, "positive serial");
    cr_assert_eq(ASN1_STRING_length(serial), 16);
    cr_assert_gt(X509_NAME_get_text_by_NID(subject, NID_commonName, cn, sizeof(cn)), 0);
    cr_assert_str_eq(cn, "localhost");
    cr_assert_gt(X509_NAME_get_text_by_NID(subject, NID_organizationName, org, sizeof(org)), 0);
    cr_assert_str_eq(org, "spoonknife bluegreen");
    cr_assert_eq(X509_NAME_cmp(subject, X509_get_issuer_name(cert)), 0);
    cr_assert_eq(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert), X509_get0_notAfter(cert)),
                 1);
    cr_assert_eq(days, 3650, "ten years");
    cr_assert_eq(secs, 60, "and the minute of clock skew");
    cr_assert_not_null(strstr(id.key_pem, "-----BEGIN EC PRIVATE KEY-----\n"));
    cr_assert_not_null(strstr(id.cert_pem, "-----END CERTIFICATE-----\n"));
}

Test(protocol_tls, certificate_bytes_are_strict_der_that_reencodes_identically)
{
    unsigned char *der = NULL, *re = NULL;
    const unsigned char *p;
    X509 *copy;
    int len = i2d_X509(cert, &der), re_len;
    size_t tbs_len;

    cr_assert_gt(len, 4);
    cr_assert_eq(der[0], 0x30);
    cr_assert_eq(der[1], 0x82, "a certificate of 256 to 65535 bytes");
    cr_assert_eq((size_t)len, 4 + ((size_t)der[2] << 8 | der[3]), "no trailing bytes");
    cr_assert_eq(der[4], 0x30);
    cr_assert_eq(der[5], 0x82);
    tbs_len = 4 + ((size_t)der[6] << 8 | der[7]);
    p = der;
    copy = d2i_X509(NULL, &p, len);
    cr_assert_not_null(copy);
    /* Re-encoding the parsed fields (not the cached bytes) gives the same TBS only when ours
     * was canonical DER, which is what Go's parser in terraform insists on. */
    re_len = i2d_re_X509_tbs(copy, &re);
    cr_assert_eq((size_t)re_len, tbs_len);
    cr_assert_eq(memcmp(re, der + 4, tbs_len), 0);
    X509_free(copy);
    OPENSSL_free(re);
    OPENSSL_free(der);
}
