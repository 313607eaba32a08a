// The job detail screen on the JVM: Kotlin draws the job and its action buttons as Rust decides
// them, performs one, and opens the colleague search — against a real demo server. Run by
// scripts/kotlin-test.sh.
package dev.offduty.tests

import dev.offduty.core.AwardRuleKind
import dev.offduty.core.BoardFilters
import dev.offduty.core.CancelWindow
import dev.offduty.core.Eligibility
import dev.offduty.core.JobActionKind
import dev.offduty.core.MapFence
import dev.offduty.core.NoticeKind
import dev.offduty.core.OfficerScreens
import dev.offduty.core.StandingKind
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test

class JobScreenTest {
    companion object {
        lateinit var demo: DemoDepartment

        @BeforeClass @JvmStatic
        fun start() { demo = DemoDepartment() }

        @AfterClass @JvmStatic
        fun stop() { demo.stop() }
    }

    @Test
    fun theJobScreenShowsWhatAClaimNeedsAndItsActions() = runBlocking {
        val app = demo.app()
        app.login("officer033@columbus.demo", DemoDepartment.PASSWORD, "JVM")
        val screens = OfficerScreens(app)
        val board = screens.board()
        board.setFilters(BoardFilters(nearMe = false, radiusKm = 25.0, from = null, to = null,
            minHourlyCents = null, jobTypes = listOf(), onlyEligible = true))
        val row = board.state().rows.first {
            it.award == AwardRuleKind.FIRST_COME && !it.full && it.standing == StandingKind.NONE &&
                it.eligibility == Eligibility.ELIGIBLE
        }
        val job = screens.job(row.jobId)
        val heard = CountingListener()
        job.setListener(heard)

        var s = job.state()
        assertNull(s.missing)
        val d = s.detail!!
        assertEquals(row.title, d.title)
        assertEquals(row.`when`, d.`when`)
        assertEquals(Eligibility.ELIGIBLE, d.eligibility)
        assertTrue(d.reasons.isEmpty())
        assertTrue(d.awardDecides.isNotEmpty())
        when (val f = d.fence) {
            is MapFence.Circle -> assertTrue(f.radiusM > 0.0)
            is MapFence.Polygon -> assertTrue(f.vertices.size >= 3)
        }
        assertEquals(listOf(JobActionKind.CLAIM), s.actions.map { it.kind })
        assertTrue(s.actions[0].enabled)
        assertNotNull(s.actions[0].confirm)

        job.perform(JobActionKind.CLAIM, null)
        s = job.state()
        assertEquals(NoticeKind.SUCCESS, s.notice!!.kind)
        assertEquals(StandingKind.HOLDING, s.detail!!.standing)
        // Near the start, "Running late" and "Won't make it" join them (the next test).
        assertEquals(listOf(JobActionKind.CANCEL, JobActionKind.TRANSFER, JobActionKind.OFFER),
            s.actions.map { it.kind }.filter {
                it != JobActionKind.RUNNING_LATE && it != JobActionKind.WONT_MAKE_IT
            })
        val cancel = s.actions[0]
        val terms = app.cancelTerms(row.jobId)
        assertEquals("the window, said before confirming", terms.text, cancel.confirm!!.message)
        assertEquals(terms.window != CancelWindow.CALL_COORDINATOR, cancel.enabled)
        assertTrue("told of the claim and its sync", heard.count() >= 3)

        // Hand-on: the colleague search opens; the board is the other way.
        job.perform(JobActionKind.TRANSFER, null)
        var panel = job.state().transfer!!
        assertEquals(row.jobId, panel.jobId)
        assertNotNull(panel.hint)
        assertEquals(JobActionKind.OFFER, panel.offer!!.kind)
        job.searchOfficers("an")
        panel = job.state().transfer!!
        assertFalse(panel.searching)
        assertTrue(panel.results.isNotEmpty())
        val me = app.session()!!.officerId
        assertTrue(panel.results.none { it.officerId == me })
        assertTrue(panel.results.all { it.confirm.message.contains(it.displayName) })
        job.closeTransfer()
        assertNull(job.state().transfer)
    }

    @Test
    fun nearTheStartTheOfficerCanSayRunningLateOrWontMakeIt() = runBlocking {
        val app = demo.app()
        app.login("officer034@columbus.demo", DemoDepartment.PASSWORD, "JVM")
        val screens = OfficerScreens(app)
        val board = screens.board()
        board.setFilters(BoardFilters(nearMe = false, radiusKm = 25.0, from = null, to = null,
            minHourlyCents = null, jobTypes = listOf(), onlyEligible = true))
        val row = board.state().rows.first {
            it.award == AwardRuleKind.FIRST_COME && !it.full && it.standing == StandingKind.NONE &&
                it.eligibility == Eligibility.ELIGIBLE
        }
        val job = screens.job(row.jobId)
        job.perform(JobActionKind.CLAIM, null)
        assertEquals(StandingKind.HOLDING, job.state().detail!!.standing)
        assertTrue("days ahead: not yet", job.state().lateChoices.isEmpty())

        // The shift now starts in 40 minutes.
        demo.moveJob(row.jobId, -40, 4)
        job.refresh()
        var s = job.state()
        assertEquals(listOf(JobActionKind.CANCEL, JobActionKind.TRANSFER, JobActionKind.RUNNING_LATE,
            JobActionKind.WONT_MAKE_IT, JobActionKind.OFFER), s.actions.map { it.kind })
        assertEquals(listOf(5, 10, 15, 30, 60), s.lateChoices.map { it.minutes.toInt() })

        job.reportLate(15u)
        s = job.state()
        assertEquals(NoticeKind.SUCCESS, s.notice!!.kind)
        assertTrue(s.notice!!.text, s.notice!!.text.startsWith("Running late"))
        assertEquals("still the officer's shift", StandingKind.HOLDING, s.detail!!.standing)

        val giveUp = s.actions.first { it.kind == JobActionKind.WONT_MAKE_IT }
        assertTrue(giveUp.confirm!!.message, giveUp.confirm!!.message.contains("late cancellation"))
        job.perform(JobActionKind.WONT_MAKE_IT, "flat tyre")
        s = job.state()
        assertEquals(NoticeKind.SUCCESS, s.notice!!.kind)
        assertEquals(StandingKind.LEFT, s.detail!!.standing)
        assertTrue(s.lateChoices.isEmpty())
    }

    @Test
    fun aJobThatIsNotOnThePhoneSaysSo() = runBlocking {
        val screens = OfficerScreens(demo.app())
        val job = screens.job("not-a-job")
        val s = job.state()
        assertNull(s.detail)
        assertNotNull(s.missing)
        assertTrue(s.actions.isEmpty())
        job.perform(JobActionKind.CLAIM, null)
        assertEquals(NoticeKind.REFUSED, job.state().notice!!.kind)
    }
}
