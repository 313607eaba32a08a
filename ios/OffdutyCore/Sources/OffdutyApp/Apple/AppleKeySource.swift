// The signing key on Apple platforms: in the Secure Enclave when the device has one
// (`SecureEnclaveSigner`, OffdutyCore's Platform.swift), else a software P-256 key kept in the
// Keychain (the Simulator), this device only, usable after first unlock. DeviceKey.choose picks
// one and the app says which (settings, sign-in). Apple only: compiled on a Mac.

#if canImport(Security) && canImport(CryptoKit)
import CryptoKit
import Foundation
import Security

import OffdutyCore

public final class AppleKeySource: SigningKeySource {
    public let tag: String

    public init(tag: String = "dev.offduty.clock-signing-key") {
        self.tag = tag
    }

    public var enclaveAvailable: Bool {
        #if targetEnvironment(simulator)
        return false
        #else
        return SecureEnclave.isAvailable
        #endif
    }

    public func enclaveSigner() throws -> Signer {
        try SecureEnclaveSigner(tag: tag)
    }

    public func softwareSigner() throws -> Signer {
        try KeychainSoftwareSigner(tag: tag + ".software")
    }
}

/// A P-256 key made in software and kept in the Keychain (a generic password item holding its
/// raw representation, `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`). Same wire formats as
/// the Enclave signer: base64 SEC1 public point, X9.62 DER signatures over SHA-256.
public final class KeychainSoftwareSigner: Signer, @unchecked Sendable {
    private let key: P256.Signing.PrivateKey

    public init(tag: String) throws {
        if let stored = try Self.load(tag) {
            key = try P256.Signing.PrivateKey(rawRepresentation: stored)
        } else {
            let made = P256.Signing.PrivateKey()
            try Self.store(tag, made.rawRepresentation)
            key = made
        }
    }

    public func publicKey() throws -> String {
        key.publicKey.x963Representation.base64EncodedString()
    }

    public func sign(message: Data) throws -> Data {
        do {
            return try key.signature(for: message).derRepresentation
        } catch {
            throw PlatformError.Failed(detail: "signing with the software key: \(error)")
        }
    }

    private static func query(_ tag: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: "dev.offduty.signing-key",
            kSecAttrAccount as String: tag,
        ]
    }

    private static func load(_ tag: String) throws -> Data? {
        var q = query(tag)
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = item as? Data else {
            throw PlatformError.Failed(detail: "reading the software key from the Keychain: OSStatus \(status)")
        }
        return data
    }

    private static func store(_ tag: String, _ raw: Data) throws {
        var q = query(tag)
        q[kSecValueData as String] = raw
        q[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        let status = SecItemAdd(q as CFDictionary, nil)
        guard status == errSecSuccess else {
            throw PlatformError.Failed(detail: "storing the software key in the Keychain: OSStatus \(status)")
        }
    }
}
#endif
