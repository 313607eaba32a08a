// My shifts on the JVM: sections as Rust decides them, an offer back to the board, and a shift
// handed to a named colleague found by name — against a real demo server. Run by
// scripts/kotlin-test.sh.
package dev.offduty.tests

import dev.offduty.core.JobActionKind
import dev.offduty.core.NoticeKind
import dev.offduty.core.OfficerScreens
import dev.offduty.core.ShiftRow
import dev.offduty.core.ShiftSectionKind
import dev.offduty.core.ShiftsScreen
import dev.offduty.core.StandingKind
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test

class MyShiftsScreenTest {
    companion object {
        lateinit var demo: DemoDepartment

        @BeforeClass @JvmStatic
        fun start() { demo = DemoDepartment() }

        @AfterClass @JvmStatic
        fun stop() { demo.stop() }
    }

    private fun row(shifts: ShiftsScreen, job: String): Pair<ShiftSectionKind, ShiftRow>? =
        shifts.state().sections.firstNotNullOfOrNull { sec ->
            sec.rows.firstOrNull { it.jobId == job }?.let { sec.kind to it }
        }

    @Test
    fun shiftsAreOfferedAndHandedToAColleague() = runBlocking {
        val job = demo.postJob(days = 12, slots = 2)
        // Two officers the core says may work it (demo officers have on-duty shifts).
        val phones = mutableListOf<dev.offduty.core.OfficerApp>()
        for (n in 34..70) {
            val app = demo.app()
            app.login("officer0$n@columbus.demo", DemoDepartment.PASSWORD, "JVM")
            if (app.job(job, null).eligible) phones.add(app)
            if (phones.size == 2) break
        }
        val (mine, theirs) = phones
        val screens = OfficerScreens(mine)
        val shifts = screens.shifts()
        val heard = CountingListener()
        shifts.setListener(heard)
        screens.job(job).perform(JobActionKind.CLAIM, null)

        val (section, r) = row(shifts, job)!!
        assertEquals(ShiftSectionKind.UPCOMING, section)
        assertEquals(StandingKind.HOLDING, r.standing)
        assertEquals(listOf(JobActionKind.CANCEL, JobActionKind.TRANSFER, JobActionKind.OFFER),
            r.actions.map { it.kind })
        assertTrue(heard.count() >= 2)

        // Offered on the board: still the officer's, the offer button gone.
        shifts.perform(job, JobActionKind.OFFER, null)
        assertEquals(NoticeKind.SUCCESS, shifts.state().notice!!.kind)
        assertEquals(StandingKind.OFFERED, row(shifts, job)!!.second.standing)
        assertEquals(listOf(JobActionKind.CANCEL, JobActionKind.TRANSFER),
            row(shifts, job)!!.second.actions.map { it.kind })

        // Handed to the colleague, found by name.
        val colleague = theirs.session()!!
        shifts.perform(job, JobActionKind.TRANSFER, null)
        shifts.searchOfficers(colleague.displayName)
        val match = shifts.state().transfer!!.results.first { it.officerId == colleague.officerId }
        assertTrue(match.confirm.message.contains(colleague.displayName))
        shifts.transferTo(match.officerId)
        val s = shifts.state()
        assertEquals(s.notice!!.text, NoticeKind.SUCCESS, s.notice!!.kind)
        assertNull(s.transfer)
        assertNull(row(shifts, job))

        val theirShifts = OfficerScreens(theirs).shifts()
        theirShifts.refresh()
        assertNotNull(row(theirShifts, job))
        assertEquals(StandingKind.HOLDING, row(theirShifts, job)!!.second.standing)
    }
}
