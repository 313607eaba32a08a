// Platform services for the offduty core on Apple platforms: the signing key in the Secure
// Enclave and session tokens in the Keychain (the device's clocks are in SystemDeviceClock.swift).
// They only forward to the OS; every decision (what to sign, when a punch is doubtful, when to
// retry) is made in Rust. A failure is thrown as `PlatformError.Failed`, which the core turns
// into an error the UI shows — never a crash.
//
// Apple only: Linux has no Security framework, so there this file compiles to nothing
// (decision 026); scripts/swift-check.sh parses it, macOS builds it.

#if canImport(Security)
import Foundation
import Security

// MARK: - Signing key

/// The device's P-256 signing key for clock events. It is created in the Secure Enclave on first
/// use and found again by its application tag; the private key never leaves the enclave.
///
/// The public key is handed to the core as a base64 SEC1 point (what
/// `SecKeyCopyExternalRepresentation` returns for an EC key); signatures are X9.62 DER
/// (`ecdsaSignatureMessageX962SHA256`, SHA-256 over the message). The core accepts both.
public final class SecureEnclaveSigner: Signer, @unchecked Sendable {
    // `SecKey` is an immutable, thread-safe CoreFoundation object; nothing else is stored.
    private let privateKey: SecKey

    /// Loads the key stored under `tag`, or creates it.
    public init(tag: String = "dev.offduty.clock-signing-key") throws {
        let tagData = Data(tag.utf8)
        if let existing = try SecureEnclaveSigner.find(tag: tagData) {
            privateKey = existing
        } else {
            privateKey = try SecureEnclaveSigner.create(tag: tagData)
        }
    }

    public func publicKey() throws -> String {
        guard let publicKey = SecKeyCopyPublicKey(privateKey) else {
            throw PlatformError.Failed(detail: "the signing key has no public key")
        }
        var error: Unmanaged<CFError>?
        guard let sec1 = SecKeyCopyExternalRepresentation(publicKey, &error) as Data? else {
            throw platformFailure("exporting the public key", error)
        }
        return sec1.base64EncodedString()
    }

    public func sign(message: Data) throws -> Data {
        var error: Unmanaged<CFError>?
        guard let signature = SecKeyCreateSignature(
            privateKey,
            .ecdsaSignatureMessageX962SHA256,
            message as CFData,
            &error
        ) as Data? else {
            throw platformFailure("signing", error)
        }
        return signature
    }

    private static func find(tag: Data) throws -> SecKey? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag,
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeyClass as String: kSecAttrKeyClassPrivate,
            kSecReturnRef as String: true,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let item, CFGetTypeID(item) == SecKeyGetTypeID() else {
                throw PlatformError.Failed(detail: "the Keychain item for the signing key is not a key")
            }
            return (item as! SecKey)
        case errSecItemNotFound:
            return nil
        default:
            throw platformFailure("looking up the signing key", status: status)
        }
    }

    private static func create(tag: Data) throws -> SecKey {
        var error: Unmanaged<CFError>?
        var privateAttributes: [String: Any] = [
            kSecAttrIsPermanent as String: true,
            kSecAttrApplicationTag as String: tag,
        ]
        var attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
        ]
        #if targetEnvironment(simulator)
        // The Simulator has no Secure Enclave: a software key in its Keychain stands in.
        privateAttributes[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        #else
        guard let access = SecAccessControlCreateWithFlags(
            kCFAllocatorDefault,
            kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
            .privateKeyUsage,
            &error
        ) else {
            throw platformFailure("the signing key's access control", error)
        }
        privateAttributes[kSecAttrAccessControl as String] = access
        attributes[kSecAttrTokenID as String] = kSecAttrTokenIDSecureEnclave
        #endif
        attributes[kSecPrivateKeyAttrs as String] = privateAttributes
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else {
            throw platformFailure("creating the signing key", error)
        }
        return key
    }
}

// MARK: - Secret storage

/// Session tokens in the Keychain: generic passwords under one service, readable after the
/// first unlock (background sync runs while the phone is locked) and never migrated to another
/// device.
public final class KeychainSecretStore: SecretStore {
    private let service: String

    public init(service: String = "dev.offduty.session") {
        self.service = service
    }

    public func get(name: String) throws -> String? {
        var query = itemQuery(name)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let data = item as? Data, let value = String(data: data, encoding: .utf8) else {
                throw PlatformError.Failed(detail: "the Keychain item \(name) is not UTF-8 text")
            }
            return value
        case errSecItemNotFound:
            return nil
        default:
            throw platformFailure("reading \(name) from the Keychain", status: status)
        }
    }

    public func set(name: String, value: String) throws {
        let data = Data(value.utf8)
        var add = itemQuery(name)
        add[kSecValueData as String] = data
        add[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        let status = SecItemAdd(add as CFDictionary, nil)
        switch status {
        case errSecSuccess:
            return
        case errSecDuplicateItem:
            // Replace in place: there is never a moment without a stored value.
            let changes: [String: Any] = [kSecValueData as String: data]
            let updated = SecItemUpdate(itemQuery(name) as CFDictionary, changes as CFDictionary)
            guard updated == errSecSuccess else {
                throw platformFailure("replacing \(name) in the Keychain", status: updated)
            }
        default:
            throw platformFailure("writing \(name) to the Keychain", status: status)
        }
    }

    public func delete(name: String) throws {
        let status = SecItemDelete(itemQuery(name) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw platformFailure("deleting \(name) from the Keychain", status: status)
        }
    }

    private func itemQuery(_ name: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: name,
        ]
    }
}

// MARK: - Errors

private func platformFailure(_ what: String, _ error: Unmanaged<CFError>?) -> PlatformError {
    let detail = error.map { String(describing: $0.takeRetainedValue()) } ?? "unknown error"
    return PlatformError.Failed(detail: "\(what): \(detail)")
}

private func platformFailure(_ what: String, status: OSStatus) -> PlatformError {
    let message = SecCopyErrorMessageString(status, nil) as String? ?? "OSStatus \(status)"
    return PlatformError.Failed(detail: "\(what): \(message) (\(status))")
}
#endif
