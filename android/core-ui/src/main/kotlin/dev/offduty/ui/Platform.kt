// What the Android platform adapters hand the core, as plain values: where the session and the
// key are kept (for the sign-in and settings screens) and a location reading as a LocationFix.
// The adapters (android/app/.../platform/) only make the platform calls.
package dev.offduty.ui

import dev.offduty.core.KeyVault
import dev.offduty.core.LocationFix
import dev.offduty.core.SessionVault
import dev.offduty.core.SignInPlatform
import java.time.Instant

/** Where this install keeps its secrets; `strongBox` when the signing key is in StrongBox. */
data class Vaults(val strongBox: Boolean, val deviceLabel: String) {
    val keyVault: KeyVault get() = if (strongBox) KeyVault.STRONG_BOX else KeyVault.ANDROID_KEYSTORE
    /** What the sign-in and settings screens are told (they say it in the core's words). */
    fun signInPlatform() = SignInPlatform(SessionVault.ANDROID_KEYSTORE, keyVault, deviceLabel)
}

/** One reading of the platform's location service; `mock` is `Location.isMock()` on API 31+,
 *  `isFromMockProvider()` below (the adapter picks). */
data class Reading(
    val lat: Double,
    val lon: Double,
    val accuracyM: Float?,
    val timeMs: Long,
    val provider: String?,
    val mock: Boolean,
) {
    /** A reading without an accuracy is reported as a very poor one, never as a precise one. */
    fun toFix() = LocationFix(lat, lon, (accuracyM ?: UNKNOWN_ACCURACY_M).toDouble(),
        Instant.ofEpochMilli(timeMs), provider ?: "unknown", mock)

    companion object {
        const val UNKNOWN_ACCURACY_M = 10_000f
    }
}
