// The earnings screen drawn from Rust state on the JVM against the demo department: a worked
// shift waits for approval, the coordinator approves and pays it over HTTP, the screen shows
// it after a refresh, and the export is CSV the shell would share.
package dev.offduty.tests

import dev.offduty.core.TimecardStatus
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

class EarningsScreenTest {
    @Test
    fun aWorkedShiftIsApprovedPaidAndExported() = runBlocking {
        val phone = ScreensDemo.phone("officer065@columbus.demo")
        val job = ScreensDemo.holdShiftNow(phone.app)
        val site = phone.app.job(job, null).location
        // In five minutes ago (the phone's clocks set back), out now.
        phone.clock.offsetMs = 5 * 60_000L
        phone.app.clockIn(job, ScreensDemo.fixAt(site, phone.clock), false)
        phone.clock.offsetMs = 0
        phone.app.clockOut(job, ScreensDemo.fixAt(site, phone.clock), false)

        val earnings = phone.screens.earnings()
        earnings.refresh()
        fun row() = earnings.state().periods.flatMap { it.rows }.first { it.jobId == job }
        assertEquals(TimecardStatus.PENDING, row().status)
        assertTrue(row().statusLabel.isNotEmpty())
        assertTrue(row().grossCents!! > 0)
        // The shift began ten minutes ago: just after the department's midnight that was
        // yesterday, possibly the last day of the previous pay period.
        val zone = java.time.ZoneId.of("America/New_York")
        val now = java.time.Instant.now()
        if (now.minusSeconds(900).atZone(zone).toLocalDate() == now.atZone(zone).toLocalDate()) {
            assertTrue(earnings.state().periods.first { p -> p.rows.any { it.jobId == job } }.current)
        }

        val coord = ScreensDemo.coordinatorToken()
        val card = ScreensDemo.timecardOf(coord, job)
        val (a, approved) = ScreensDemo.call("POST", "/v1/timecards/$card/approve", coord,
            """{"note":"Checked with the site supervisor."}""")
        assertEquals(approved, 200, a)
        earnings.refresh()
        assertEquals(TimecardStatus.APPROVED, row().status)
        assertNull(row().paid)

        val (p, paid) = ScreensDemo.call("POST", "/v1/timecards/$card/paid", coord, null)
        assertEquals(paid, 200, p)
        earnings.refresh()
        assertEquals(TimecardStatus.PAID, row().status)
        assertNotNull(row().paid)
        val s = earnings.state()
        assertTrue(s.payments.isNotEmpty())
        assertTrue(s.yearToDate.paidCents >= row().grossCents!!)

        val export = earnings.export()!!
        assertEquals("text/csv", export.mimeType)
        assertTrue(export.fileName.endsWith(".csv"))
        assertEquals(export.shifts.toInt() + 1, export.csv.trimEnd().lines().size)
        assertNotNull(earnings.state().notice)
        phone.app.close()
    }
}
