// The tests' signer: a P-256 key held in software by the platform's crypto library, with the
// same wire formats as SecureEnclaveSigner (public key: base64 SEC1 point; signature: X9.62
// DER over SHA-256). CryptoKit on Apple platforms; on Linux, which has no CryptoKit, OpenSSL's
// libcrypto through the CLibCrypto system library (decision 026). The Secure Enclave signer
// itself needs a device and is built and run on Apple hardware only.

import Foundation
import XCTest

import OffdutyCore

#if canImport(CryptoKit)
import CryptoKit
#elseif canImport(CLibCrypto)
import CLibCrypto
#endif

final class SoftwareP256Signer: Signer, @unchecked Sendable {
    private let lock = NSLock()
    private var failingFlag = false
    private(set) var signatures = 0

    /// While set, `sign` throws, as a locked or busy key store would.
    var failing: Bool {
        get { lock.lock(); defer { lock.unlock() }; return failingFlag }
        set { lock.lock(); defer { lock.unlock() }; failingFlag = newValue }
    }

    private func willSign() throws {
        lock.lock()
        defer { lock.unlock() }
        if failingFlag {
            throw PlatformError.Failed(detail: "the key store is locked")
        }
        signatures += 1
    }

    #if canImport(CryptoKit)
    private let key = P256.Signing.PrivateKey()

    init() throws {}

    func publicKey() throws -> String {
        key.publicKey.x963Representation.base64EncodedString()
    }

    func sign(message: Data) throws -> Data {
        try willSign()
        return try key.signature(for: message).derRepresentation
    }
    #else
    /// The `EVP_PKEY` (an opaque pointer); freed with the signer. libcrypto's keys are safe to
    /// sign with from several threads.
    private let key: OpaquePointer

    init() throws {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw openSSLFailure("EVP_PKEY_CTX_new_from_name(EC)")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var generated: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1,
              EVP_PKEY_CTX_set_group_name(ctx, "P-256") == 1,
              EVP_PKEY_generate(ctx, &generated) == 1,
              let generated
        else {
            throw openSSLFailure("generating a P-256 key")
        }
        key = generated
    }

    deinit {
        EVP_PKEY_free(key)
    }

    func publicKey() throws -> String {
        var point: UnsafeMutablePointer<UInt8>?
        let length = EVP_PKEY_get1_encoded_public_key(key, &point)
        guard length > 0, let point else {
            throw openSSLFailure("exporting the public key")
        }
        defer { CRYPTO_free(point, #file, #line) }
        return Data(bytes: point, count: length).base64EncodedString()
    }

    func sign(message: Data) throws -> Data {
        try willSign()
        guard let ctx = EVP_MD_CTX_new() else {
            throw openSSLFailure("EVP_MD_CTX_new")
        }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, EVP_sha256(), nil, key) == 1 else {
            throw openSSLFailure("EVP_DigestSignInit")
        }
        let bytes = [UInt8](message)
        var length = 0
        guard EVP_DigestSign(ctx, nil, &length, bytes, bytes.count) == 1 else {
            throw openSSLFailure("EVP_DigestSign (length)")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(ctx, &signature, &length, bytes, bytes.count) == 1 else {
            throw openSSLFailure("EVP_DigestSign")
        }
        return Data(signature.prefix(length))
    }

    #endif
}

#if !canImport(CryptoKit)
private func openSSLFailure(_ what: String) -> PlatformError {
    PlatformError.Failed(detail: "libcrypto: \(what) failed (error \(ERR_get_error()))")
}
#endif

/// The signer on its own: formats the core (and the server) accept.
final class SoftwareSignerTests: XCTestCase {
    func testThePublicKeyIsAnUncompressedP256Point() throws {
        let key = try XCTUnwrap(Data(base64Encoded: try SoftwareP256Signer().publicKey()))
        XCTAssertEqual(key.count, 65)
        XCTAssertEqual(key.first, 0x04)
    }

    func testSignaturesAreDERAndFreshEachTime() throws {
        let signer = try SoftwareP256Signer()
        let a = try signer.sign(message: Data("clock in".utf8))
        let b = try signer.sign(message: Data("clock in".utf8))
        // SEQUENCE { INTEGER r, INTEGER s }, at most 72 bytes for P-256.
        XCTAssertEqual(a.first, 0x30)
        XCTAssertEqual(Int(a[a.startIndex + 1]), a.count - 2)
        XCTAssertLessThanOrEqual(a.count, 72)
        XCTAssertNotEqual(a, b, "ECDSA signatures use a fresh nonce")
    }

    func testAFailingSignerThrowsAPlatformError() throws {
        let signer = try SoftwareP256Signer()
        signer.failing = true
        XCTAssertThrowsError(try signer.sign(message: Data())) { error in
            guard case let PlatformError.Failed(detail) = error else {
                return XCTFail("expected PlatformError.Failed, got \(error)")
            }
            XCTAssertEqual(detail, "the key store is locked")
        }
    }
}
