// One current fix for the clock screen: the fused provider where the phone has one (no Google
// Play services needed: LocationManager's own), else GPS, else network; accuracy and the mock
// flag (Location.isMock() on API 31+, isFromMockProvider() below). No permission, location off
// or no answer in 30 s become the core's LocationProblem.
package dev.offduty.android.platform

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.location.Location
import android.location.LocationManager
import android.os.Build
import android.os.CancellationSignal
import androidx.core.content.ContextCompat
import androidx.core.location.LocationManagerCompat
import dev.offduty.core.LocationProblem
import dev.offduty.ui.FixResult
import dev.offduty.ui.Locator
import dev.offduty.ui.Reading
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withTimeoutOrNull
import kotlin.coroutines.resume

class OneShotLocator(private val context: Context) : Locator {
    private val lm = context.getSystemService(LocationManager::class.java)

    fun permitted(): Boolean = ContextCompat.checkSelfPermission(context,
        Manifest.permission.ACCESS_FINE_LOCATION) == PackageManager.PERMISSION_GRANTED

    private fun provider(): String? = when {
        Build.VERSION.SDK_INT >= 31 && lm.hasProvider(LocationManager.FUSED_PROVIDER) &&
            lm.isProviderEnabled(LocationManager.FUSED_PROVIDER) -> LocationManager.FUSED_PROVIDER
        lm.isProviderEnabled(LocationManager.GPS_PROVIDER) -> LocationManager.GPS_PROVIDER
        lm.isProviderEnabled(LocationManager.NETWORK_PROVIDER) -> LocationManager.NETWORK_PROVIDER
        else -> null
    }

    @Suppress("MissingPermission", "DEPRECATION")
    override suspend fun currentFix(): FixResult {
        if (!permitted()) return FixResult.Unavailable(LocationProblem.DENIED)
        val provider = provider() ?: return FixResult.Unavailable(LocationProblem.DISABLED)
        val location = withTimeoutOrNull(30_000) {
            suspendCancellableCoroutine<Location?> { cont ->
                val cancel = CancellationSignal()
                cont.invokeOnCancellation { cancel.cancel() }
                LocationManagerCompat.getCurrentLocation(lm, provider, cancel,
                    ContextCompat.getMainExecutor(context)) { cont.resume(it) }
            }
        } ?: return FixResult.Unavailable(LocationProblem.TIMED_OUT)
        val mock = if (Build.VERSION.SDK_INT >= 31) location.isMock else location.isFromMockProvider
        return FixResult.Fix(Reading(location.latitude, location.longitude,
            if (location.hasAccuracy()) location.accuracy else null, location.time, location.provider, mock).toFix())
    }
}
