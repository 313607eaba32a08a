// The OpenSSL 3 headers the tests' software signer uses (key generation, ECDSA over SHA-256,
// public key export, error codes).
#include <openssl/err.h>
#include <openssl/evp.h>
