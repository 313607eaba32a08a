// The clock screen: asks for the location permission when the core needs a fix, hands the
// one-shot fix (or why there is none) to the core, and draws the fence's outline with the fix.
package dev.offduty.android.ui

import android.Manifest
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.Canvas
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import dev.offduty.android.platform.OneShotLocator
import dev.offduty.ui.appLabels
import dev.offduty.android.viewmodel.ClockViewModel
import dev.offduty.core.Geofence
import kotlin.math.cos

sealed class FenceShape {
    data class Circle(val lat: Double, val lon: Double, val radiusM: Double) : FenceShape()
    data class Polygon(val vertices: List<Pair<Double, Double>>) : FenceShape()
}

@Composable
fun ClockScreen(vm: ClockViewModel) {
    val s = vm.state.collectAsStateValue()
    val context = LocalContext.current
    val locator = remember(context) { OneShotLocator(context) }
    val ask = rememberLauncherForActivityResult(ActivityResultContracts.RequestMultiplePermissions()) {
        vm.launch { locateIfNeeded(locator) } // denied: the locator says so and the core explains
    }
    LaunchedEffect(s.needsLocation) {
        if (!s.needsLocation) return@LaunchedEffect
        if (locator.permitted()) vm.launch { locateIfNeeded(locator) }
        else ask.launch(arrayOf(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION))
    }
    Column(Modifier.verticalScroll(rememberScrollState()).padding(16.dp)) {
        SyncLine(s.sync)
        NoticeBar(s.notice) { vm.model.dismissNotice() }
        Text(s.title, style = MaterialTheme.typography.headlineSmall)
        s.shift?.let { Text("${it.title}\n${it.site}\n${it.`when`}") }
        Text(s.message)
        s.advice?.let { Text(it) }
        s.reasons.forEach { Text("• ${it.text}", color = MaterialTheme.colorScheme.error) }
        s.map?.let { m ->
            val fence = when (val f = m.fence) {
                is Geofence.Circle -> FenceShape.Circle(f.center.lat, f.center.lon, f.radiusM)
                is Geofence.Polygon -> FenceShape.Polygon(f.vertices.map { it.lat to it.lon })
            }
            FenceOutline(fence, m.fix?.let { it.lat to it.lon }, m.accuracyM,
                if (m.fix == null) appLabels.mapSite else appLabels.mapSiteAndYou)
        }
        listOfNotNull(s.clockIn, s.clockOut).forEach { p -> Text(listOfNotNull(p.text, p.verdictText).joinToString(" · ")) }
        s.confirmLabel?.let { Button({ vm.launch { confirm() } }, enabled = !s.busy, modifier = Modifier.fillMaxWidth()) { Text(it) } }
        s.startLabel?.let { Button({ vm.model.start() }, enabled = !s.busy, modifier = Modifier.fillMaxWidth()) { Text(it) } }
    }
}

/** The fence as an outline, the fix as a dot with its accuracy circle (local flat projection
 *  around the fence; metres per degree of latitude ≈ 111,320). */
@Composable
fun FenceOutline(fence: FenceShape, fix: Pair<Double, Double>?, accuracyM: Double?, description: String) {
    val outline = MaterialTheme.colorScheme.primary
    val dot = MaterialTheme.colorScheme.tertiary
    Canvas(Modifier.fillMaxWidth().aspectRatio(1f).padding(8.dp).semantics { contentDescription = description }) {
        val (lat0, lon0, extentM) = when (fence) {
            is FenceShape.Circle -> Triple(fence.lat, fence.lon, fence.radiusM * 2.5)
            is FenceShape.Polygon -> {
                val lat = fence.vertices.map { it.first }.average(); val lon = fence.vertices.map { it.second }.average()
                Triple(lat, lon, fence.vertices.maxOf { maxOf(Math.abs(it.first - lat) * 111_320,
                    Math.abs(it.second - lon) * 111_320 * cos(Math.toRadians(lat))) } * 2.5)
            }
        }
        val scale = size.minDimension / (2 * extentM).toFloat()
        fun at(lat: Double, lon: Double) = Offset(center.x + ((lon - lon0) * 111_320 * cos(Math.toRadians(lat0))).toFloat() * scale,
            center.y - ((lat - lat0) * 111_320).toFloat() * scale)
        when (fence) {
            is FenceShape.Circle -> drawCircle(outline, (fence.radiusM * scale).toFloat(), at(fence.lat, fence.lon), style = Stroke(4f))
            is FenceShape.Polygon -> drawPath(Path().apply {
                fence.vertices.forEachIndexed { i, v -> val p = at(v.first, v.second); if (i == 0) moveTo(p.x, p.y) else lineTo(p.x, p.y) }
                close()
            }, outline, style = Stroke(4f))
        }
        fix?.let { (lat, lon) ->
            val p = at(lat, lon)
            accuracyM?.let { drawCircle(dot.copy(alpha = 0.2f), (it * scale).toFloat(), p) }
            drawCircle(dot, 8f, p)
        }
    }
}
