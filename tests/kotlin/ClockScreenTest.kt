// The clock screen drawn from Rust state on the JVM against the demo department: waiting for a
// fix, no fix, the preview verdicts, the explicit confirmation of a rejected punch, the
// server's verdict, then the clock-out. Choices are made by the state's enums and codes.
package dev.offduty.tests

import dev.offduty.core.ClockPhase
import dev.offduty.core.Geofence
import dev.offduty.core.GeoPoint
import dev.offduty.core.LocationProblem
import dev.offduty.core.PunchKind
import dev.offduty.core.PunchVerdict
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

class ClockScreenTest {
    @Test
    fun aShiftIsClockedInAndOutFromRustState() = runBlocking {
        val phone = ScreensDemo.phone("officer061@columbus.demo")
        val job = ScreensDemo.holdShiftNow(phone.app)
        val site = phone.app.job(job, null).location
        val clock = phone.screens.clock(null)
        val heard = CountingListener()
        clock.setListener(heard)

        // The screen picked the shift and asks the platform for a fix.
        var s = clock.state()
        assertEquals(ClockPhase.WAITING_FOR_FIX, s.phase)
        assertEquals(PunchKind.IN, s.punch)
        assertTrue(s.needsLocation)
        assertEquals(job, s.shift!!.jobId)
        val fence = s.map!!.fence
        assertTrue(fence is Geofence.Circle || fence is Geofence.Polygon)
        assertNull(s.map!!.fix)

        // No fix: the screen says why and what to do.
        clock.locationUnavailable(LocationProblem.DISABLED)
        s = clock.state()
        assertEquals(ClockPhase.LOCATION_UNAVAILABLE, s.phase)
        assertFalse(s.needsLocation)
        assertNotNull(s.advice)
        clock.start()
        assertTrue(clock.state().needsLocation)

        // On site: verified; the map shows the fix and its accuracy.
        clock.locationFix(ScreensDemo.fixAt(site, phone.clock))
        s = clock.state()
        assertEquals(ClockPhase.PREVIEW, s.phase)
        assertEquals(PunchVerdict.VERIFIED, s.verdict)
        assertEquals(site, s.map!!.fix)
        assertEquals(8.0, s.map!!.accuracyM!!, 0.0)
        assertNotNull(s.confirmLabel)

        // Two kilometres off: rejected, outside the fence by more than a kilometre.
        clock.locationFix(ScreensDemo.fixAt(GeoPoint(site.lat + 0.018, site.lon), phone.clock))
        s = clock.state()
        assertEquals(PunchVerdict.REJECTED, s.verdict)
        assertEquals("outside_fence", s.reasons.first().code)
        assertTrue(s.distanceOutsideM!! > 1000.0)

        // A mocked fix: rejected; confirming asks first, then records it anyway.
        clock.locationFix(ScreensDemo.fixAt(site, phone.clock, mock = true))
        assertEquals("mock_location", clock.state().reasons.first().code)
        // Intents so far told the listener on this thread; the punch runs on the library's.
        heard.threads.clear()
        clock.confirm()
        s = clock.state()
        assertEquals(ClockPhase.CONFIRM_REJECTED, s.phase)
        assertNotNull(s.confirmLabel)
        clock.confirm()
        s = clock.state()
        // Online, the sync that follows brings the server's verdict.
        assertEquals(ClockPhase.DECIDED, s.phase)
        assertEquals(PunchVerdict.REJECTED, s.verdict)
        assertEquals(PunchVerdict.REJECTED, s.clockIn!!.serverVerdict)
        assertTrue(s.reasons.any { it.code == "mock_location" })
        assertNotNull(s.startLabel)
        assertTrue(heard.threads.isNotEmpty())
        assertFalse("the punch and its sync tell the listener off the caller's thread",
            heard.threads.contains(Thread.currentThread().name))
        assertTrue(heard.count() >= 4)

        // Clock-out.
        clock.start()
        s = clock.state()
        assertEquals(PunchKind.OUT, s.punch)
        assertEquals(ClockPhase.WAITING_FOR_FIX, s.phase)
        clock.locationFix(ScreensDemo.fixAt(site, phone.clock))
        assertEquals(PunchVerdict.VERIFIED, clock.state().verdict)
        clock.confirm()
        s = clock.state()
        assertEquals(ClockPhase.DECIDED, s.phase)
        assertEquals(PunchVerdict.VERIFIED, s.clockOut!!.serverVerdict)
        assertTrue(s.finished)
        clock.setListener(null)
        phone.app.close()
    }
}
