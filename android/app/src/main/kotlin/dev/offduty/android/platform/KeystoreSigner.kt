// The core's Signer: a P-256 key in the Android Keystore (StrongBox when the phone has one),
// non-exportable, no user presence. One platform call per method.
package dev.offduty.android.platform

import android.content.Context
import android.content.pm.PackageManager
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import android.util.Base64
import dev.offduty.core.PlatformException
import dev.offduty.core.Signer
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.PrivateKey
import java.security.Signature
import java.security.spec.ECGenParameterSpec

class KeystoreSigner(context: Context, private val alias: String = "offduty-device-key") : Signer {
    private val keyStore = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }

    /** Whether the key lives in StrongBox (the sign-in and settings screens say which). */
    val strongBox: Boolean

    init {
        val hasStrongBox = android.os.Build.VERSION.SDK_INT >= 28 &&
            context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)
        if (!keyStore.containsAlias(alias)) {
            strongBox = hasStrongBox && generate(strongBox = true) || run { generate(strongBox = false); false }
            context.getSharedPreferences("offduty-key", Context.MODE_PRIVATE).edit().putBoolean("strongbox", strongBox).apply()
        } else {
            strongBox = context.getSharedPreferences("offduty-key", Context.MODE_PRIVATE).getBoolean("strongbox", false)
        }
    }

    private fun generate(strongBox: Boolean): Boolean = try {
        val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_SIGN)
            .setAlgorithmParameterSpec(ECGenParameterSpec("secp256r1"))
            .setDigests(KeyProperties.DIGEST_SHA256)
            .setUserAuthenticationRequired(false)
            .apply { if (strongBox && android.os.Build.VERSION.SDK_INT >= 28) setIsStrongBoxBacked(true) }
            .build()
        KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, "AndroidKeyStore").run {
            initialize(spec)
            generateKeyPair()
        }
        true
    } catch (e: StrongBoxUnavailableException) {
        false
    }

    override fun publicKey(): String =
        Base64.encodeToString(keyStore.getCertificate(alias).publicKey.encoded, Base64.NO_WRAP)

    override fun sign(message: ByteArray): ByteArray = try {
        Signature.getInstance("SHA256withECDSA").run {
            initSign(keyStore.getKey(alias, null) as PrivateKey)
            update(message)
            sign()
        }
    } catch (e: Exception) {
        throw PlatformException.Failed("Android Keystore: ${e.message}")
    }
}
